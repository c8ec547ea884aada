from pathlib import Path

from kiosk.config import load_config


def test_the_checkouts_own_configuration_is_a_demo_kiosk():
    config = load_config(environ={})  # config/kiosk.toml asks for the demo
    assert config.demo is True
    assert config.language == "zh_CN"
    assert config.profile.idcard_driver == "sim"
    assert config.profile.receipt_printer.chinese_mode is True


def test_environment_overrides_file(tmp_path):
    config = load_config(environ={
        "KIOSK__BACKOFFICE__URL": "http://127.0.0.1:9999",
        "KIOSK__KIOSK__IDLE_TIMEOUT_S": "15",
        "KIOSK__KIOSK__DEMO": "false",
        "KIOSK__KIOSK__VAR_DIR": str(tmp_path),
    })
    assert config.backoffice_url == "http://127.0.0.1:9999"
    assert config.idle_timeout_s == 15
    assert config.demo is False
    # the printer spool of the file driver lives under the kiosk's var_dir
    assert config.profile.receipt_printer_target == Path(tmp_path) / "printer"


def test_a_configuration_that_says_nothing_of_demo_or_lockdown_is_locked_down(tmp_path):
    """A county's own kiosk.toml that leaves out `demo` and `lockdown` must not get the demo
    keys and panel, nor a window that Escape closes: both defaults are the production ones."""
    from kiosk.appliance import lockdown_enabled

    own = tmp_path / "kiosk.toml"
    own.write_text('[kiosk]\nterminal_id = "CM-KIOSK-0100"\nhardware_profile = "sim"\n', encoding="utf-8")
    config = load_config(own, environ={})
    assert config.demo is False
    assert lockdown_enabled(config.raw.get("kiosk", {}), demo=config.demo) is True
    assert lockdown_enabled({"lockdown": "off"}, demo=False) is False  # said out loud, it is obeyed
    assert lockdown_enabled({}, demo=True) is False  # the demo, on a developer's screen


def test_a_production_kiosk_without_a_display_refuses_to_start_instead_of_touring(tmp_path):
    """No display and no demo: the kiosk says why it cannot start, and runs no tour (it ran
    the scripted demo tour against the configured back office)."""
    import os
    import subprocess
    import sys

    own = tmp_path / "kiosk.toml"
    own.write_text(f'[kiosk]\nterminal_id = "CM-KIOSK-0100"\nhardware_profile = "sim"\nvar_dir = "{tmp_path}"\n'
                   '[backoffice]\nurl = "http://127.0.0.1:9"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(own)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "no display" in done.stderr, done.stderr[-2000:]
    assert not (tmp_path / "tour").exists()
