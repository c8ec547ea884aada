"""The appliance installers (scripts/install-kiosk.sh, install-backoffice.sh) staged into a
temporary root with --root: the tree, the configuration as the kiosk loads it, the
permissions, the keys in the key holder's folder (and moved there from an older install),
the systemd units (as `systemd-analyze verify` reads them, and their key settings), and
nothing done to the machine itself."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk.appliance import lockdown_enabled
from kiosk.appliance.nightly_restart import RestartWindow
from kiosk.config import CONFIG_ENV, load_config
from kiosk.offline import outbox_paths
from services.outbox import load_or_create_key
from tests.nginx_proxy import (
    NGINX,
    NGINX_MISSING,
    PROXY_CONFIG,
    check_config,
    free_port,
    main_config,
    render,
    write_test_pki,
)

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
APP = "opt/chengmai-kiosk"
MACHINE_COMMANDS = ("useradd", "chown", "systemctl", "apt-get", "pip", "udevadm", "sysctl", "cupsctl")


def run(*args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=REPO, capture_output=True, text=True, check=check,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})


@pytest.fixture(scope="module")
def kiosk_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("kiosk-root")
    secret = root.parent / "kiosk-secret"
    secret.write_text("0123456789abcdef\n")
    out = run(SCRIPTS / "install-kiosk.sh", "--profile", "floor-215", "--terminal-id", "CM-KIOSK-0042",
              "--backoffice-url", "https://backoffice.chengmai.example:8443", "--secret-file", secret,
              "--root", root)
    return root, out.stdout


@pytest.fixture(scope="module")
def backoffice_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("backoffice-root")
    out = run("make", "--no-print-directory", "install-backoffice", f"INSTALL_ARGS=--root {root}")
    return root, out.stdout


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as systemd reads it: sections of keys, a key may repeat."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


# --- the kiosk ----------------------------------------------------------------------------
def test_kiosk_tree(kiosk_root):
    root, _ = kiosk_root
    expected = {
        f"{APP}/app/kiosk/__main__.py": 0o644, f"{APP}/app/config/profiles/floor-215.toml": 0o644,
        f"{APP}/bin/chengmai-kiosk-session": 0o755, "usr/local/sbin/chengmai-kiosk-diag": 0o755,
        "etc/chengmai-kiosk/kiosk.toml": 0o640, "etc/chengmai-keys/terminal.secret": 0o600,
        "etc/chengmai-keys/outbox.key": 0o600,
        "etc/systemd/user/chengmai-kiosk.service": 0o644, "etc/systemd/system/chengmai-keyholder.service": 0o644,
        "usr/share/xsessions/chengmai-kiosk.desktop": 0o644,
        "etc/lightdm/lightdm.conf.d/50-chengmai-kiosk.conf": 0o644,
        "etc/X11/xorg.conf.d/50-chengmai-kiosk.conf": 0o644,
        "etc/udev/rules.d/60-chengmai-kiosk.rules": 0o644,
        "etc/systemd/logind.conf.d/50-chengmai-kiosk.conf": 0o644,
        "etc/sysctl.d/50-chengmai-kiosk.conf": 0o644,
    }
    for path, wanted in expected.items():
        assert (root / path).is_file(), path
        assert mode(root / path) == wanted, (path, oct(mode(root / path)))
    assert mode(root / "etc/chengmai-kiosk") == 0o750
    assert mode(root / "etc/chengmai-keys") == 0o700
    assert sorted(p.name for p in (root / "etc/chengmai-kiosk").iterdir()) == ["kiosk.toml"]  # no key there
    assert (root / "var/lib/chengmai-kiosk").is_dir() and (root / "var/log/chengmai-kiosk").is_dir()
    assert os.readlink(root / "var/lib/chengmai-kiosk/log") == "/var/log/chengmai-kiosk"
    # the code only: no developer's venv, runtime files or git
    for absent in (".venv", "var", ".git"):
        assert not (root / APP / "app" / absent).exists(), absent


def test_kiosk_secret_is_copied_and_private(kiosk_root):
    root, _ = kiosk_root
    secret = root / "etc/chengmai-keys/terminal.secret"
    assert secret.read_text() == "0123456789abcdef\n"
    assert mode(secret) == 0o600


def test_kiosk_config_as_the_installed_kiosk_loads_it(kiosk_root):
    root, _ = kiosk_root
    path = root / "etc/chengmai-kiosk/kiosk.toml"
    config = load_config(environ={CONFIG_ENV: str(path)})  # how the unit points the kiosk at it
    assert config.demo is False
    assert lockdown_enabled(config.raw["kiosk"], config.demo) is True
    assert config.terminal_id == "CM-KIOSK-0042"
    assert config.backoffice_url == "https://backoffice.chengmai.example:8443"
    assert config.profile.model == "Floor-standing 21.5-inch portrait kiosk"
    assert config.var_dir == Path("/var/lib/chengmai-kiosk")
    assert config.terminal_secret_file == Path("/etc/chengmai-keys/terminal.secret")  # not under var
    assert config.key_holder_socket == Path("/run/chengmai-keys/keys.sock")  # the kiosk signs through it
    outbox, outbox_key = outbox_paths(config)
    assert outbox.is_relative_to("/var/lib/chengmai-kiosk") and outbox_key == Path("/etc/chengmai-keys/outbox.key")
    assert RestartWindow.from_config(config.raw["kiosk"]) is not None


def test_kiosk_outbox_key_is_made_private_and_kept(kiosk_root):
    root, _ = kiosk_root
    key = root / "etc/chengmai-keys/outbox.key"
    assert mode(key) == 0o600
    assert load_or_create_key(key) == bytes.fromhex(key.read_text().strip())  # the outbox reads it as is


def test_kiosk_unit(kiosk_root):
    root, _ = kiosk_root
    kiosk = unit(root / "etc/systemd/user/chengmai-kiosk.service")
    service = kiosk["Service"]
    assert service["Type"] == ["notify"]
    assert int(service["WatchdogSec"][0]) > 0
    assert service["Restart"] == ["always"]
    assert "0" in service["RestartPreventExitStatus"][0].split()  # "exit to the desktop" stays down
    assert "75" in service["SuccessExitStatus"][0].split()
    assert "75" in service["RestartForceExitStatus"][0].split()
    assert "KIOSK_CONFIG=/etc/chengmai-kiosk/kiosk.toml" in service["Environment"]
    assert service["ExecStart"] == [f"/{APP}/venv/bin/kiosk"]
    assert kiosk["Unit"]["ConditionEnvironment"] == ["DISPLAY"]


def test_kiosk_code_is_the_first_release_with_the_update_guard_outside_it(kiosk_root):
    """The code under releases/VERSION, `current` and app pointing at it (updates switch
    `current`), and the unit's start guard a standalone copy outside the releases that
    counts starts on probation before the kiosk runs."""
    from kiosk.ops.updates.layout import Layout
    from kiosk.ops.updates.settings import update_settings

    root, _ = kiosk_root
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    releases = root / APP / "releases"
    assert Layout(releases).current_version() == version and Layout(releases).installed(version)
    assert os.readlink(root / APP / "app") == "releases/current"
    assert (root / APP / "app" / "RELEASE").read_text().strip() == version
    guard = root / APP / "bin" / "kiosk-update-guard"
    assert mode(guard) == 0o755
    done = subprocess.run(["python3", "-I", guard, "--releases", releases,
                           "--var-dir", root / "var/lib/chengmai-kiosk"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "", done  # no probation: nothing to do
    pre = unit(root / "etc/systemd/user/chengmai-kiosk.service")["Service"]["ExecStartPre"]
    assert pre == [f"-/usr/bin/python3 -I /{APP}/bin/kiosk-update-guard --releases /{APP}/releases "
                   "--var-dir /var/lib/chengmai-kiosk --max-restarts 2"]
    config = load_config(environ={CONFIG_ENV: str(root / "etc/chengmai-kiosk/kiosk.toml")})
    settings = update_settings(config.raw)
    assert settings.releases == Path(f"/{APP}/releases") and settings.max_restarts == 2
    assert not settings.enabled, "no release key yet: nothing is installed from afar"


def test_session_starts_the_kiosk_unit_with_blanking_off(kiosk_root):
    root, _ = kiosk_root
    desktop = (root / "usr/share/xsessions/chengmai-kiosk.desktop").read_text()
    session_script = f"/{APP}/bin/chengmai-kiosk-session"
    assert f"Exec={session_script}" in desktop
    script = (root / session_script.lstrip("/")).read_text()
    assert "xset s off -dpms s noblank" in script
    assert "systemctl --user start --wait chengmai-kiosk.service" in script
    commands = [line.split()[0] for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert not {"xterm", "x-terminal-emulator", "bash", "sh"} & set(commands)  # no shell at the glass
    lightdm = (root / "etc/lightdm/lightdm.conf.d/50-chengmai-kiosk.conf").read_text()
    assert "autologin-user=kiosk" in lightdm and "autologin-session=chengmai-kiosk" in lightdm
    xorg = (root / "etc/X11/xorg.conf.d/50-chengmai-kiosk.conf").read_text()
    assert 'Option "DontZap" "true"' in xorg and 'Option "DontVTSwitch" "true"' in xorg


def test_staging_leaves_the_machine_alone(kiosk_root):
    _, out = kiosk_root
    for line in out.splitlines():
        if any(line.lstrip().startswith(command) for command in MACHINE_COMMANDS):
            pytest.fail(f"ran on the machine while staging: {line}")
    assert "staged, not run: useradd" in out
    assert "staged, not run: systemctl enable lightdm.service" in out
    assert "staged, not run: useradd --system --user-group --no-create-home --home-dir /nonexistent " \
           "--shell /usr/sbin/nologin chengmai-keys" in out
    assert "staged, not run: systemctl enable chengmai-keyholder.service" in out
    for key in ("/etc/chengmai-keys", "/etc/chengmai-keys/terminal.secret", "/etc/chengmai-keys/outbox.key"):
        assert f"staged, not run: chown chengmai-keys:chengmai-keys {key}\n" in out


def test_key_holder_unit(kiosk_root):
    root, _ = kiosk_root
    keyholder = unit(root / "etc/systemd/system/chengmai-keyholder.service")
    service = keyholder["Service"]
    assert service["User"] == ["chengmai-keys"] and service["Group"] == ["chengmai-keys"]
    assert service["Type"] == ["notify"] and service["Restart"] == ["always"]
    args = service["ExecStart"][0].split()
    assert args[0] == f"/{APP}/venv/bin/kiosk-keyholder"
    options = dict(zip(args[1::2], args[2::2]))
    assert options == {"--socket": "/run/chengmai-keys/keys.sock", "--peer-user": "kiosk",
                       "--secret-file": "/etc/chengmai-keys/terminal.secret",
                       "--outbox-key-file": "/etc/chengmai-keys/outbox.key"}
    # the socket the kiosk is configured with, in the folder systemd makes for it
    config = load_config(environ={CONFIG_ENV: str(root / "etc/chengmai-kiosk/kiosk.toml")})
    assert str(config.key_holder_socket) == options["--socket"]
    assert service["RuntimeDirectory"] == ["chengmai-keys"]
    assert service["ReadWritePaths"] == ["/etc/chengmai-keys"]
    for hardening, value in {"NoNewPrivileges": "yes", "PrivateNetwork": "yes", "ProtectSystem": "strict",
                             "ProtectHome": "yes", "RestrictAddressFamilies": "AF_UNIX", "UMask": "0077",
                             "CapabilityBoundingSet": ""}.items():
        assert service[hardening] == [value], hardening
    assert "display-manager.service" in keyholder["Unit"]["Before"][0].split()  # the kiosk's session waits
    assert keyholder["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_key_holder_starts_on_what_the_installer_left(kiosk_root):
    """The unit's command on the staged key files: it signs with the secret the installer
    copied and seals with the outbox key it made (the socket in a short folder of its own)."""
    import sys
    import tempfile
    import time

    from services.api import SecretSigner
    from services.keyholder.client import KeyHolderClient
    from services.outbox_seal import LocalSealer

    root, _ = kiosk_root
    args = unit(root / "etc/systemd/system/chengmai-keyholder.service")["Service"]["ExecStart"][0].split()
    options = dict(zip(args[1::2], args[2::2]))
    with tempfile.TemporaryDirectory() as run_dir:
        holder = subprocess.Popen([sys.executable, "-m", "services.keyholder.server", "--socket", f"{run_dir}/k.sock",
                                   "--secret-file", f"{root}{options['--secret-file']}",
                                   "--outbox-key-file", f"{root}{options['--outbox-key-file']}"],
                                  cwd=REPO, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
            client = KeyHolderClient(Path(run_dir) / "k.sock")
            fields = ("GET", "/v1/terminals/me", "", str(int(time.time())), "cd" * 16, "0" * 64)
            assert client.sign(*fields) == SecretSigner("0123456789abcdef").sign(*fields)
            key = load_or_create_key(root / options["--outbox-key-file"].lstrip("/"))
            assert client.applicant_hash("X") == LocalSealer(key).applicant_hash("X")
            client.close()
        finally:
            holder.terminate()
            holder.wait(timeout=10)


def test_reinstall_moves_the_keys_out_of_the_kiosk_users_reach(tmp_path):
    """An install from before the key holder kept both keys in /etc/chengmai-kiosk, owned
    by the kiosk user: they are moved, unchanged, not copied."""
    old = tmp_path / "etc/chengmai-kiosk"
    old.mkdir(parents=True)
    (old / "terminal.secret").write_text("registered before\n")
    (old / "outbox.key").write_text("ab" * 32 + "\n")
    run(SCRIPTS / "install-kiosk.sh", "--profile", "wall-238", "--root", tmp_path)
    keys = tmp_path / "etc/chengmai-keys"
    assert (keys / "terminal.secret").read_text() == "registered before\n"
    assert (keys / "outbox.key").read_text() == "ab" * 32 + "\n"
    assert not (old / "terminal.secret").exists() and not (old / "outbox.key").exists()
    assert mode(keys / "terminal.secret") == mode(keys / "outbox.key") == 0o600


def test_an_edited_config_from_before_the_key_holder_keeps_its_keys(tmp_path):
    """Its kiosk still reads the keys itself until kiosk.toml.new is merged: moving them
    would stop it."""
    config = tmp_path / "etc/chengmai-kiosk/kiosk.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[kiosk]\nterminal_id = "CM-KIOSK-0007"\n[backoffice]\n'
                      'terminal_secret_file = "/etc/chengmai-kiosk/terminal.secret"\n')
    (config.parent / "terminal.secret").write_text("registered before\n")
    out = run(SCRIPTS / "install-kiosk.sh", "--profile", "wall-238", "--root", tmp_path).stdout
    assert "has no key_holder_socket" in out
    assert (config.parent / "terminal.secret").read_text() == "registered before\n"
    assert (config.parent / "outbox.key").exists() and not (tmp_path / "etc/chengmai-keys").exists()


def test_reinstall_keeps_an_edited_config(tmp_path):
    args = (SCRIPTS / "install-kiosk.sh", "--profile", "wall-238", "--root", tmp_path)
    run(*args)
    config = tmp_path / "etc/chengmai-kiosk/kiosk.toml"
    config.write_text(config.read_text().replace('language = "zh_CN"', 'language = "en"'))
    secret = tmp_path / "etc/chengmai-keys/terminal.secret"
    secret.write_text("registered later\n")
    out = run(*args).stdout
    assert 'language = "en"' in config.read_text()
    assert "kiosk.toml.new" in out
    assert tomllib.loads((tmp_path / "etc/chengmai-kiosk/kiosk.toml.new").read_text())["kiosk"]["language"] == "zh_CN"
    assert secret.read_text() == "registered later\n" and mode(secret) == 0o600


def test_kiosk_installer_refuses_an_unknown_profile(tmp_path):
    out = run(SCRIPTS / "install-kiosk.sh", "--profile", "no-such-model", "--root", tmp_path, check=False)
    assert out.returncode != 0
    assert not (tmp_path / "etc").exists()


def test_make_install_kiosk_needs_a_profile(tmp_path):
    out = run("make", "--no-print-directory", "install-kiosk", f"INSTALL_ARGS=--root {tmp_path}", check=False)
    assert out.returncode != 0 and "PROFILE=" in out.stdout + out.stderr


# --- the back office ----------------------------------------------------------------------
def test_backoffice_tree_and_units(backoffice_root):
    root, out = backoffice_root
    env = root / "etc/chengmai-kiosk/backoffice.env"
    assert mode(env) == 0o640
    assert mode(root / "var/lib/chengmai-backoffice") == 0o750
    assert mode(root / "usr/local/sbin/chengmai-backoffice") == 0o755
    assert "staged, not run: systemctl enable --now chengmai-backoffice.service chengmai-backoffice-sweep.timer " \
           "chengmai-backoffice-backup.timer" in out
    # the code as a release the units reach through `current`, so a rollback is a switch
    release = os.readlink(root / APP / "current")
    assert release.startswith("releases/") and (root / APP / release / "app/backoffice/cli.py").is_file()
    assert os.readlink(root / APP / "app") == "current/app" and os.readlink(root / APP / "venv") == "current/venv"
    service = unit(root / "etc/systemd/system/chengmai-backoffice.service")
    assert service["Service"]["User"] == ["chengmai-backoffice"]
    assert service["Service"]["EnvironmentFile"] == ["/etc/chengmai-kiosk/backoffice.env"]
    assert "BACKOFFICE_VAR_DIR=/var/lib/chengmai-backoffice" in service["Service"]["Environment"]
    assert service["Service"]["ExecStart"][0].startswith(f"/{APP}/venv/bin/kiosk-backoffice serve ")
    # the TLS proxy's forwarded client address is believed from this machine only, unless set
    assert service["Service"]["ExecStart"][0].endswith(" --forwarded-allow-ips ${BACKOFFICE_FORWARDED_ALLOW_IPS}")
    assert "BACKOFFICE_FORWARDED_ALLOW_IPS=127.0.0.1" in service["Service"]["Environment"]
    assert service["Install"]["WantedBy"] == ["multi-user.target"]
    sweep = unit(root / "etc/systemd/system/chengmai-backoffice-sweep.service")
    assert sweep["Service"]["ExecStart"] == [f"/{APP}/venv/bin/kiosk-backoffice sweep"]
    assert unit(root / "etc/systemd/system/chengmai-backoffice-sweep.timer")["Install"]["WantedBy"] == ["timers.target"]
    # the settings file names only variables the back office's settings, its command or its units read
    names = {line.split("=", 1)[0].lstrip("# ").strip() for line in env.read_text().splitlines()
             if "=" in line and line.lstrip("# ").startswith("BACKOFFICE_")}
    readers = "".join(path.read_text() for path in (REPO / "backoffice/settings.py", REPO / "backoffice/cli.py",
                                                    *(REPO / "deploy/systemd").glob("chengmai-backoffice*")))
    for name in names:
        assert name in readers, name


def test_nightly_backup_unit_and_timer(backoffice_root):
    root, _ = backoffice_root
    service = unit(root / "etc/systemd/system/chengmai-backoffice-backup.service")["Service"]
    assert service["Type"] == ["oneshot"] and service["User"] == ["chengmai-backoffice"]
    # its defaults first, then the county's environment file (the passphrase, the folder, N)
    assert service["Environment"] == ["BACKOFFICE_VAR_DIR=/var/lib/chengmai-backoffice",
                                      "BACKOFFICE_BACKUP_DIR=/var/lib/chengmai-backoffice/backups",
                                      "BACKOFFICE_BACKUP_KEEP=14"]
    assert service["EnvironmentFile"] == ["/etc/chengmai-kiosk/backoffice.env"]
    args = service["ExecStart"][0].split()
    assert args == [f"/{APP}/venv/bin/kiosk-backoffice", "backup", "${BACKOFFICE_BACKUP_DIR}", "--keys", "--keep",
                    "${BACKOFFICE_BACKUP_KEEP}"]
    import sys

    usage = run(sys.executable, "-m", "backoffice", "backup", "--help").stdout
    assert "--keys" in usage and "--keep" in usage
    assert service["UMask"] == ["0077"] and service["ProtectSystem"] == ["strict"]
    timer = unit(root / "etc/systemd/system/chengmai-backoffice-backup.timer")
    assert timer["Timer"]["OnCalendar"] == ["*-*-* 02:30:00"] and timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_a_staged_upgrade_records_its_steps_in_order(tmp_path):
    """Without --python and --service-ctl a staged upgrade runs nothing and says what it would
    run, in order: the service stopped, the old release's backup, the new one's migrations,
    the switch, the start and the wait for /ready. An install from before releases becomes one."""
    (tmp_path / APP / "app").mkdir(parents=True)
    (tmp_path / APP / "app/marker").write_text("the code installed before releases\n")
    first = run(SCRIPTS / "install-backoffice.sh", "--root", tmp_path, "--release", "B").stdout
    assert "== upgrade: releases/legacy -> releases/B" in first
    assert (tmp_path / APP / "releases/legacy/app/marker").is_file()

    upgraded = run(SCRIPTS / "install-backoffice.sh", "--root", tmp_path, "--release", "C")
    out = upgraded.stdout + upgraded.stderr
    steps = ["staged, not run: systemctl stop chengmai-backoffice.service",
             f"staged, not run: /{APP}/releases/B/venv/bin/kiosk-backoffice backup "
             "/var/lib/chengmai-backoffice/upgrade-backups",
             f"staged, not run: /{APP}/releases/C/venv/bin/kiosk-backoffice migrate",
             "== current -> releases/C",
             "staged, not run: systemctl start chengmai-backoffice.service",
             "staged, not run: wait-for http://127.0.0.1:8700/ready"]
    positions = [out.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), out
    assert os.readlink(tmp_path / APP / "current") == "releases/C"
    assert (tmp_path / APP / "releases/C/UPGRADE").read_text().startswith("from=B\n")
    # the running release and the one it replaced stay for a rollback; older ones go
    assert sorted(p.name for p in (tmp_path / APP / "releases").iterdir()) == ["B", "C"]
    for line in out.splitlines():
        if any(line.lstrip().startswith(command) for command in MACHINE_COMMANDS):
            pytest.fail(f"ran on the machine while staging: {line}")


def test_rollback_refuses_without_an_upgrade_to_undo(backoffice_root, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(backoffice_root[0], root, symlinks=True)
    out = run(SCRIPTS / "rollback-backoffice.sh", "--root", root, check=False)
    assert out.returncode != 0 and "was not installed by an upgrade: nothing to roll back to" in out.stderr
    assert os.readlink(root / APP / "current") == os.readlink(backoffice_root[0] / APP / "current")


def test_backoffice_proxy_site_waits_for_the_certificate(backoffice_root):
    root, out = backoffice_root
    site = root / "etc/nginx/sites-available/chengmai-backoffice.conf"
    assert site.read_text() == PROXY_CONFIG.read_text() and mode(site) == 0o644
    assert mode(root / "etc/chengmai-kiosk/tls") == 0o700
    assert not (root / "etc/nginx/sites-enabled/chengmai-backoffice.conf").exists()  # nginx would not start
    assert "no certificate yet" in out and "/etc/chengmai-kiosk/tls/backoffice.crt" in out
    assert "systemctl reload-or-restart nginx.service" not in out


@pytest.fixture(scope="module")
def backoffice_root_with_certificate(tmp_path_factory):
    """A county that put its certificate in place (README), then ran the installer again."""
    root = tmp_path_factory.mktemp("backoffice-tls-root")
    tls = root / "etc/chengmai-kiosk/tls"
    tls.mkdir(parents=True)
    pki = write_test_pki(tls)
    pki["certificate"].rename(tls / "backoffice.crt")
    pki["key"].rename(tls / "backoffice.key")
    (root / "etc/nginx/sites-enabled").mkdir(parents=True)
    (root / "etc/nginx/sites-enabled/default").symlink_to("/etc/nginx/sites-available/default")
    out = run(SCRIPTS / "install-backoffice.sh", "--root", root)
    return root, out.stdout


def test_backoffice_proxy_site_is_enabled_once_the_certificate_is_there(backoffice_root_with_certificate):
    root, out = backoffice_root_with_certificate
    enabled = root / "etc/nginx/sites-enabled/chengmai-backoffice.conf"
    assert enabled.is_symlink() and enabled.resolve() == (root / "etc/nginx/sites-available/chengmai-backoffice.conf")
    assert not (root / "etc/nginx/sites-enabled/default").is_symlink()  # its default_server would clash with ours
    assert "staged, not run: nginx -t" in out
    assert "staged, not run: systemctl reload-or-restart nginx.service" in out


@pytest.mark.skipif(NGINX is None, reason=NGINX_MISSING)
def test_nginx_accepts_the_installed_site(backoffice_root_with_certificate, tmp_path):
    """`nginx -t` on the enabled site as installed, its absolute paths moved into the
    staged tree (the certificate) and the test's folder (logs), its ports to free ones
    (the check binds them: 80 may be the machine's own nginx's, 443 a root's only)."""
    root, _ = backoffice_root_with_certificate
    site = tmp_path / "site.conf"
    site.write_text(render((root / "etc/nginx/sites-enabled/chengmai-backoffice.conf").read_text(),
                           https_port=free_port(), http_port=free_port(), upstream_port=8700,
                           certificate=root / "etc/chengmai-kiosk/tls/backoffice.crt",
                           key=root / "etc/chengmai-kiosk/tls/backoffice.key", log_dir=tmp_path))
    main = tmp_path / "nginx.conf"
    main.write_text(main_config(tmp_path, site))
    checked = check_config(tmp_path, main)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_backoffice_server_processes_are_a_setting(backoffice_root, tmp_path):
    """The unit runs BACKOFFICE_WORKERS processes (1 unless the settings file says more);
    the installer's --workers writes that setting, and refuses what is not a count."""
    root, _ = backoffice_root
    service = unit(root / "etc/systemd/system/chengmai-backoffice.service")["Service"]
    assert "BACKOFFICE_WORKERS=1" in service["Environment"]
    assert " --workers ${BACKOFFICE_WORKERS} " in service["ExecStart"][0]
    assert "\nBACKOFFICE_WORKERS=" not in (root / "etc/chengmai-kiosk/backoffice.env").read_text()
    four = tmp_path / "four"
    out = run(SCRIPTS / "install-backoffice.sh", "--root", four, "--workers", "4").stdout
    assert "server processes: 4 (BACKOFFICE_WORKERS)" in out
    settings = (four / "etc/chengmai-kiosk/backoffice.env").read_text().splitlines()
    assert [line for line in settings if "BACKOFFICE_WORKERS=" in line] == ["BACKOFFICE_WORKERS=4"]
    refused = run(SCRIPTS / "install-backoffice.sh", "--root", tmp_path / "none", "--workers", "0", check=False)
    assert refused.returncode == 2 and "--workers is a number of server processes" in refused.stderr


def test_backoffice_unit_gives_serve_only_options_it_has(backoffice_root):
    import sys

    root, _ = backoffice_root
    args = unit(root / "etc/systemd/system/chengmai-backoffice.service")["Service"]["ExecStart"][0].split()
    usage = run(sys.executable, "-m", "backoffice", "serve", "--help").stdout
    for option in (arg for arg in args if arg.startswith("--")):
        assert option in usage, option


def test_entry_points_the_units_start_exist():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert {"kiosk", "kiosk-backoffice", "kiosk-diag", "kiosk-keyholder"} <= set(scripts)


def test_appliance_packages_cover_what_the_session_runs():
    def packages(name):
        lines = (SCRIPTS / name).read_text().splitlines()
        return {line.split("#")[0].strip() for line in lines} - {""}

    kiosk = packages("appliance-kiosk-packages.txt")
    assert {"lightdm", "x11-xserver-utils", "dbus-user-session", "openssh-server", "python3-venv", "gettext"} <= kiosk
    assert "xterm" not in kiosk  # no terminal at the glass
    assert "postgresql" not in kiosk  # test tooling stays off the kiosks
    assert {"python3-venv", "nginx-light"} <= packages("appliance-backoffice-packages.txt")
    assert "nginx-light" in packages("debian-packages.txt")  # the proxy's tests run it


# --- systemd-analyze verify ---------------------------------------------------------------
needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze missing (Debian package systemd, in scripts/debian-packages.txt)")


def verify(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def placeholder_entry_points(root: Path, *names: str) -> None:
    """Staging skips the venv: stand-ins where its entry points go, so verify's check that
    ExecStart is executable looks at the installed path."""
    for name in names:
        # the back office's venv is a link through `current` into its release
        path = (root / APP / "venv").resolve() / "bin" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)


@needs_systemd_analyze
def test_systemd_verifies_the_back_office_units(backoffice_root, tmp_path):
    staged, _ = backoffice_root
    root = tmp_path / "root"
    shutil.copytree(staged, root, symlinks=True)
    # the distribution's own units (multi-user.target, timers.target, ...) the ours refer to
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    placeholder_entry_points(root, "kiosk-backoffice")
    units = ("chengmai-backoffice.service", "chengmai-backoffice-sweep.service", "chengmai-backoffice-sweep.timer",
             "chengmai-backoffice-backup.service", "chengmai-backoffice-backup.timer")
    result = verify("verify", f"--root={root}", *units)
    assert result.returncode == 0, result.stderr
    assert "chengmai" not in result.stderr, result.stderr


@needs_systemd_analyze
def test_systemd_verifies_the_kiosk_user_unit(kiosk_root, tmp_path):
    staged, _ = kiosk_root
    # `--root` is for the system manager only: the user unit is verified where it is, with
    # its ExecStart moved into the staged tree (verify checks the program is executable).
    placeholder_entry_points(tmp_path, "kiosk")
    text = (staged / "etc/systemd/user/chengmai-kiosk.service").read_text()
    assert f"ExecStart=/{APP}/" in text
    copy = tmp_path / "chengmai-kiosk.service"
    copy.write_text(text.replace(f"ExecStart=/{APP}/", f"ExecStart={tmp_path}/{APP}/"))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    result = verify("--user", "verify", copy, env={"XDG_RUNTIME_DIR": str(runtime)})
    assert result.returncode == 0, result.stderr
    assert "chengmai" not in result.stderr, result.stderr


@needs_systemd_analyze
def test_systemd_verifies_the_key_holder_unit(kiosk_root, tmp_path):
    staged, _ = kiosk_root
    root = tmp_path / "root"
    shutil.copytree(staged, root, symlinks=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    placeholder_entry_points(root, "kiosk-keyholder")
    result = verify("verify", f"--root={root}", "chengmai-keyholder.service")
    assert result.returncode == 0, result.stderr
    assert "chengmai" not in result.stderr, result.stderr
