from pathlib import Path

from kiosk.config import load_config


def test_defaults_make_a_demo_kiosk():
    config = load_config(environ={})
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
