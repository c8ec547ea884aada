"""The Debian set-up step: a user who is not root gets the exact command, not a half install."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from kiosk.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "ensure-debian-packages.sh"


def test_installed_packages_need_nothing(tmp_path):
    listing = tmp_path / "packages.txt"
    listing.write_text("# comment\nbash  # the shell itself\n\n")
    done = subprocess.run(["bash", str(SCRIPT), str(listing)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to become an unprivileged user")
def test_missing_packages_as_non_root_print_the_exact_command():
    # pytest's tmp_path sits in a root-only folder: the unprivileged user needs its own.
    folder = Path(tempfile.mkdtemp(prefix="kiosk-setup-"))
    folder.chmod(0o755)
    listing = folder / "packages.txt"
    listing.write_text("bash\nkiosk-no-such-package-xyz\n")
    listing.chmod(0o644)
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", str(SCRIPT), str(listing)],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert "Missing Debian packages: kiosk-no-such-package-xyz" in done.stderr
    advice = "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kiosk-no-such-package-xyz"
    assert advice in done.stderr
    shutil.rmtree(folder)


def test_unreadable_list_is_an_error_not_silence(tmp_path):
    done = subprocess.run(["bash", str(SCRIPT), str(tmp_path / "missing.txt")], capture_output=True, text=True)
    assert done.returncode == 2 and "cannot read" in done.stderr
