"""The offline install through its real path: scripts/make-bundle.sh builds the back office's
bundle (its Debian packages listed, not fetched), then scripts/install-backoffice.sh --bundle
stages an install from it into a temporary root with no network (a network namespace of its
own when the test may make one, and proxies that refuse anyway), and a bundle changed after
it was built is refused."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
APP = "opt/chengmai-kiosk"
# Anything that tries the network goes to a closed port.
NO_NETWORK = {"PIP_INDEX_URL": "http://127.0.0.1:9/", "http_proxy": "http://127.0.0.1:9/",
              "https_proxy": "http://127.0.0.1:9/", "HTTP_PROXY": "http://127.0.0.1:9/",
              "HTTPS_PROXY": "http://127.0.0.1:9/", "all_proxy": "http://127.0.0.1:9/"}


def can_unshare_network() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "--net", "true"], capture_output=True).returncode == 0


def run(*args, check=True, offline=False) -> subprocess.CompletedProcess:
    command = [str(a) for a in args]
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    if offline:
        env.update(NO_NETWORK)
        if can_unshare_network():  # no interface but loopback: nothing can reach the internet
            command = ["unshare", "--net", *command]
    out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        pytest.fail(f"{command} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle-out")
    run(SCRIPTS / "make-bundle.sh", "--role", "backoffice", "--no-debs", "--out", out)
    (tar,) = out.glob("chengmai-backoffice-*.tar")
    return tar


@pytest.fixture(scope="module")
def staged(bundle, tmp_path_factory):
    root = tmp_path_factory.mktemp("backoffice-bundle-root")
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", bundle, "--root", root, offline=True)
    return root, out.stdout + out.stderr


@pytest.fixture(scope="module")
def bundle_with_debs(tmp_path_factory) -> Path:
    """The bundle as `make bundle` makes it by default, the .deb files in (Debian's mirror needed)."""
    out = tmp_path_factory.mktemp("bundle-debs-out")
    made = run(SCRIPTS / "make-bundle.sh", "--role", "backoffice", "--out", out, check=False)
    if made.returncode != 0 and ("Failed to fetch" in made.stderr or "Could not resolve" in made.stderr):
        pytest.skip(f"Debian's mirror is out of reach: {made.stderr.strip()[-300:]}")
    assert made.returncode == 0, made.stderr
    (tar,) = out.glob("chengmai-backoffice-*.tar")
    return tar


def locked(lock: Path) -> dict[str, str]:
    pins = [line.split(" ")[0] for line in lock.read_text().splitlines() if "==" in line and not line.startswith("#")]
    return {name.lower().replace("_", "-"): version for name, version in (p.split("==") for p in pins)}


def repack(bundle: Path, into: Path, change) -> Path:
    """The bundle unpacked, changed by `change(folder)`, packed again (no .sha256 beside it)."""
    unpacked = into / "unpacked"
    with tarfile.open(bundle) as tar:
        tar.extractall(unpacked, filter="tar")
    (folder,) = unpacked.iterdir()
    change(folder)
    changed = into / bundle.name
    with tarfile.open(changed, "w") as tar:
        tar.add(folder, arcname=folder.name)
    return changed


def test_bundle_holds_the_code_the_locks_their_files_and_a_manifest(bundle):
    assert (bundle.parent / f"{bundle.name}.sha256").read_text().split()[0] == \
        subprocess.run(["sha256sum", bundle], capture_output=True, text=True).stdout.split()[0]
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
        (top,) = {name.split("/")[0] for name in names}
        files = {name.split("/", 1)[1] for name in names if tar.getmember(name).isfile()}
        manifest = tar.extractfile(f"{top}/SHA256SUMS").read().decode()
        packages = tar.extractfile(f"{top}/debian/packages.txt").read().decode().split()
    assert {line.split("  ", 1)[1] for line in manifest.splitlines()} == files - {"SHA256SUMS"}
    assert {"app/backoffice/app.py", "app/pyproject.toml", "requirements/backoffice.lock",
            "requirements/build.lock"} <= files
    wheels = [name for name in files if name.startswith("wheels/")]
    pinned = locked(REPO / "requirements/backoffice.lock") | locked(REPO / "requirements/build.lock")
    assert len(wheels) == len(pinned)  # one file per pin, sdists included
    # the Debian packages with their exact versions, the role's own among them
    versions = dict(line.split("=", 1) for line in packages)
    assert {"python3-venv", "nginx-light", "fonts-wqy-microhei"} <= set(versions)
    assert all(versions.values())


def test_staged_install_from_the_bundle_imports_the_back_office(staged, tmp_path):
    root, out = staged
    python = root / APP / "venv/bin/python"
    imported = subprocess.run([python, "-c", "import backoffice.app; print(backoffice.app.__file__)"],
                              cwd=tmp_path, capture_output=True, text=True, env={**os.environ, **NO_NETWORK})
    assert imported.returncode == 0, imported.stderr
    # The release's own code, reached through current/ (the install's releases and links).
    assert Path(imported.stdout.strip()).resolve() == (root / APP / "app/backoffice/app.py").resolve()
    assert "bundle checked" in out and "offline from the bundle" in out


def test_staged_venv_has_exactly_the_locked_versions(staged):
    root, _ = staged
    listed = subprocess.run([root / APP / "venv/bin/python", "-m", "pip", "list", "--format", "json"],
                            capture_output=True, text=True, check=True).stdout
    installed = {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(listed)}
    wanted = locked(REPO / "requirements/backoffice.lock") | locked(REPO / "requirements/build.lock")
    assert {name: installed.get(name) for name in wanted} == wanted
    assert set(installed) - set(wanted) == {"chengmai-kiosk"}  # nothing from anywhere else


def test_staged_install_from_the_bundle_leaves_the_machine_alone(staged):
    _, out = staged
    assert "staged, not run: useradd" in out
    assert "staged, not run: systemctl enable --now chengmai-backoffice.service" in out
    # a bundle made with --no-debs: apt's own sources, and only when not staging
    assert "staged, not run: env DEBIAN_FRONTEND=noninteractive" in out


def test_a_tampered_wheel_is_refused(bundle, tmp_path):
    def tamper(folder: Path) -> None:
        wheel = next((folder / "wheels").glob("fastapi-*.whl"))
        wheel.write_bytes(wheel.read_bytes() + b"\0")

    changed = repack(bundle, tmp_path, tamper)
    root = tmp_path / "root"
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", changed, "--root", root, check=False, offline=True)
    assert out.returncode != 0
    assert "files changed since it was built, refusing to install" in out.stderr
    assert "wheels/fastapi-" in out.stderr and "FAILED" in out.stderr
    assert not root.exists()  # refused before anything was written


def test_a_bundle_not_matching_its_sha256_file_is_refused(bundle, tmp_path):
    changed = repack(bundle, tmp_path, lambda folder: (folder / "app/README.md").write_text("changed\n"))
    shutil.copy(bundle.parent / f"{bundle.name}.sha256", tmp_path)
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", changed, "--root", tmp_path / "root", check=False)
    assert out.returncode != 0 and "does not match" in out.stderr and not (tmp_path / "root").exists()


def test_a_file_added_to_the_bundle_is_refused(bundle, tmp_path):
    changed = repack(bundle, tmp_path, lambda folder: (folder / "wheels/extra-1.0-py3-none-any.whl").write_bytes(b"x"))
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", changed, "--root", tmp_path / "root", check=False)
    assert out.returncode != 0 and "files not in its manifest" in out.stderr
    assert "wheels/extra-1.0-py3-none-any.whl" in out.stderr


def test_a_wheel_changed_with_its_manifest_is_refused_by_the_lock(bundle, tmp_path):
    """Whoever rewrites SHA256SUMS too still meets the lock's hashes, which pip checks."""
    def tamper(folder: Path) -> None:
        wheel = next((folder / "wheels").glob("fastapi-*.whl"))
        wheel.write_bytes(wheel.read_bytes() + b"\0")
        sums = subprocess.run("find . -type f ! -name SHA256SUMS -printf '%P\\0' | sort -z | xargs -0 sha256sum",
                              shell=True, cwd=folder, capture_output=True, text=True, check=True).stdout
        (folder / "SHA256SUMS").write_text(sums)

    changed = repack(bundle, tmp_path, tamper)
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", changed, "--root", tmp_path / "root", check=False,
              offline=True)
    assert out.returncode != 0
    assert "DO NOT MATCH THE HASHES" in out.stderr and "fastapi" in out.stderr
    assert not (tmp_path / "root" / APP / "venv/bin/uvicorn").exists()


def test_a_kiosk_bundle_is_refused_by_the_back_office_installer(bundle, tmp_path):
    renamed = tmp_path / "unpacked"
    with tarfile.open(bundle) as tar:
        tar.extractall(renamed, filter="tar")
    (folder,) = renamed.iterdir()
    folder.rename(renamed / folder.name.replace("backoffice", "kiosk"))
    (folder,) = renamed.iterdir()
    kiosk = tmp_path / "chengmai-kiosk.tar"
    with tarfile.open(kiosk, "w") as tar:
        tar.add(folder, arcname=folder.name)
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", kiosk, "--root", tmp_path / "root", check=False)
    assert out.returncode != 0 and "is not a backoffice bundle" in out.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="apt-get update into a folder of its own runs as root")
def test_the_bundles_debs_alone_install_the_role_on_a_bare_machine(bundle_with_debs, tmp_path):
    """apt with the bundle's index as its only source and a machine with nothing installed:
    every package the role needs is there, at the listed version, with no network."""
    with tarfile.open(bundle_with_debs) as tar:
        tar.extractall(tmp_path, filter="tar")
    (folder,) = [p for p in tmp_path.iterdir() if p.name.startswith("chengmai-")]
    (tmp_path / "lists/partial").mkdir(parents=True)
    (tmp_path / "sources.list").write_text(f"deb [trusted=yes] file:{folder}/debian/debs ./\n")
    (tmp_path / "status").write_text("")
    options = [f"Dir::Etc::SourceList={tmp_path}/sources.list", "Dir::Etc::SourceParts=/nonexistent",
               f"Dir::State::Lists={tmp_path}/lists", "Dir::Cache::pkgcache=", "Dir::Cache::srcpkgcache=",
               "APT::Sandbox::User=root", "Acquire::CompressionTypes::Order::=gz",
               f"Dir::State::status={tmp_path}/status"]  # a machine with nothing installed
    apt = ["apt-get", "-q", *(arg for option in options for arg in ("-o", option))]
    run(*apt, "update", offline=True)
    wanted = (folder / "debian/wanted.txt").read_text().split()
    simulated = run(*apt, "install", "--simulate", "--no-install-recommends", *wanted, offline=True).stdout
    installed = dict(line.split()[1:3] for line in simulated.splitlines() if line.startswith("Inst "))
    assert set(wanted) <= set(installed)
    listed = dict(line.split("=", 1) for line in (folder / "debian/packages.txt").read_text().split())
    assert {name: version.lstrip("(") for name, version in installed.items()} == listed


def test_installing_from_debs_uses_the_bundle_as_apts_only_source(bundle_with_debs):
    out = run(SCRIPTS / "install-backoffice.sh", "--bundle", bundle_with_debs, "--dry-run").stdout
    apt_lines = [line for line in out.splitlines() if "apt-get" in line]
    assert len(apt_lines) == 2 and all("Dir::Etc::SourceParts=/nonexistent" in line for line in apt_lines)
    listed = re.sub(r"#.*", "", (SCRIPTS / "appliance-backoffice-packages.txt").read_text()).split()
    assert apt_lines[1].endswith("install -y --no-install-recommends " + " ".join(listed))
    assert "Debian packages from the bundle" in out
