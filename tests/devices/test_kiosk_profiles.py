"""The two real kiosk models' hardware profiles (config/profiles/floor-215.toml,
wall-238.toml) load through kiosk/config.py, and kiosk/hardware.py builds and opens their
device facades on a machine without any of that hardware: each device reports itself
missing or offline, through the backend the profile names, and nothing crashes."""
from __future__ import annotations

import pytest

from devices.health import DeviceState
from kiosk.config import load_config
from kiosk.hardware import build_devices

MISSING = {DeviceState.NO_DEVICE, DeviceState.OFFLINE, DeviceState.HARDWARE_ERROR}

MODELS = {
    "floor-215": {
        "model": "Floor-standing 21.5-inch portrait kiosk",
        "paper_width_px": 576, "columns": 48,
        "backends": {"idcard": "ga467", "receipt_printer": "escpos-usb", "document_printer": "cups",
                     "scanner": "camera", "speech": "espeak-ng"},
    },
    "wall-238": {
        "model": "Wall-mounted 23.8-inch portrait kiosk",
        "paper_width_px": 384, "columns": 32,
        "backends": {"idcard": "pcsc", "receipt_printer": "escpos-serial", "document_printer": "cups",
                     "scanner": "hid", "speech": "espeak-ng"},
    },
}


def profile_config(name, tmp_path):
    return load_config(environ={}, overrides={"kiosk.var_dir": str(tmp_path), "kiosk.hardware_profile": name,
                                              "kiosk.demo": False})


@pytest.mark.parametrize("name", sorted(MODELS))
def test_profile_loads(name, tmp_path):
    expected = MODELS[name]
    profile = profile_config(name, tmp_path).profile
    assert profile.model == expected["model"]
    assert profile.window_size == (1080, 1920)
    assert profile.receipt_printer.paper_width_px == expected["paper_width_px"]
    assert profile.receipt_printer.columns == expected["columns"]
    assert profile.idcard_driver == expected["backends"]["idcard"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_devices_build_and_report_missing_hardware(name, tmp_path):
    devices = build_devices(profile_config(name, tmp_path))
    assert devices.idcard_sim is None and devices.printer_emulator is None
    devices.open()
    try:
        statuses = {device: getattr(devices, device).status() for device in MODELS[name]["backends"]}
    finally:
        devices.close()
    backends = {device: status.backend for device, status in statuses.items()}
    assert backends == MODELS[name]["backends"]
    for device in ("idcard", "receipt_printer", "document_printer"):
        assert statuses[device].state in MISSING, (device, statuses[device])
        assert statuses[device].detail  # says what is missing
    assert devices.doccam is not None and devices.doccam.status().state in MISSING  # opened only when used
