"""The count of paper left on the receipt roll, through the real printer facade and our
ESC/POS emulator on loopback: each slip's measured length is the paper the emulated
printer used for it, the count survives a restart, and a printer back from paper out
starts a new roll."""
from __future__ import annotations

from devices.health import MediaState
from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
from devices.printer.emulator import PrinterEmulator
from devices.printer.paper import DOTS_PER_MM, PaperMeter
from tests.devices.test_receipt_printer import slip

ROLL_MM = 80_000.0
PLENTY = 10_000_000  # dots: a roll the test will not finish


def printer_with_meter(emulator, path):
    meter = PaperMeter(ROLL_MM, 576, path)
    printer = ReceiptPrinter(emulator.uri, ReceiptPrinterProfile(), paper=meter)
    printer.open()
    return printer, meter


def test_each_slip_takes_the_paper_the_printer_used_for_it(tmp_path):
    with PrinterEmulator() as emulator:
        emulator.run_out_after(PLENTY)
        printer, meter = printer_with_meter(emulator, tmp_path / "paper.json")
        try:
            for _ in range(3):
                assert printer.print_slip(slip()).ok
        finally:
            printer.close()
        used_dots = PLENTY - emulator.paper_left
    level = meter.level()
    assert level.slips == 3 and 0 < level.used_mm < 1000  # a progress slip is tens of centimetres
    assert abs(level.used_mm * DOTS_PER_MM - used_dots) < 1  # the printer's own count, to the dot
    assert level.slips_left == int((ROLL_MM - level.used_mm) / (level.used_mm / 3))

    again = PaperMeter(ROLL_MM, 576, tmp_path / "paper.json")  # the kiosk restarted
    assert again.level() == level


def test_the_status_says_what_is_left_and_a_printer_back_from_paper_out_has_a_new_roll(tmp_path):
    with PrinterEmulator() as emulator:
        printer, meter = printer_with_meter(emulator, tmp_path / "paper.json")
        try:
            assert printer.print_slip(slip()).ok
            status = printer.status()
            assert "m left of 80 m" in status.detail and "slips" in status.detail

            emulator.run_out_after(0)  # the roll ends
            emulator.paper_out = True
            assert printer.status().media is MediaState.OUT
            assert meter.level().slips == 1  # still counting the old roll
            emulator.load_paper()  # a technician puts a new roll in
            status = printer.status()
            assert status.media is not MediaState.OUT
            assert meter.level().used_mm == 0 and meter.level().slips == 0
            assert "80.0 m left of 80 m" in status.detail
        finally:
            printer.close()


def test_an_unreadable_count_starts_from_a_full_roll(tmp_path):
    path = tmp_path / "paper.json"
    path.write_text("{not json", encoding="utf-8")
    assert PaperMeter(ROLL_MM, 576, path).level().used_mm == 0


def test_a_new_roll_told_from_outside_reaches_the_running_kiosk(tmp_path):
    """`kiosk-diag printer new-roll` writes the count file while the kiosk runs."""
    path = tmp_path / "paper.json"
    with PrinterEmulator() as emulator:
        printer, meter = printer_with_meter(emulator, path)
        try:
            assert printer.print_slip(slip()).ok
            PaperMeter(ROLL_MM, 576, path).new_roll()  # another process's meter
            assert meter.level().slips == 0
            assert printer.print_slip(slip()).ok
            assert meter.level().slips == 1  # counted from the new roll, not 2 on the old one
        finally:
            printer.close()
