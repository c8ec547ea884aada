"""A real CUPS for tests that print A4 documents: a private cupsd with a cups-pdf queue
(devices/printer/cupsd.py), the PDFs cups-pdf wrote for a job title, and reading a PDF
back: its text with pypdf, its QR codes with zxing-cpp after rasterising with pypdfium2."""
from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from devices.printer.cupsd import PrivateCupsd, output_dir

why_not = PrivateCupsd.missing()
needs_cups = pytest.mark.skipif(bool(why_not), reason=why_not or "cups available")


@pytest.fixture(scope="module")
def cups_queue():
    """(server socket, queue name) of a private cupsd with a cups-pdf queue, for one module."""
    # Not under pytest's tmp folder: that is closed to the lp user CUPS filters run as.
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    cupsd = PrivateCupsd(root).start()
    try:
        queue = cupsd.add_pdf_queue(f"KioskTest{uuid.uuid4().hex[:6]}")
        yield str(cupsd.socket), queue
    finally:
        cupsd.stop()
        shutil.rmtree(root, ignore_errors=True)


def cups_pdfs(title: str = "") -> set[Path]:
    """The PDFs cups-pdf has written for jobs with this title (it names them after it and
    the job id: `<title>-job_<id>.pdf`); every PDF in its output folder without one."""
    return set(output_dir().glob(f"{title}*.pdf"))


def compact_text(path: Path) -> str:
    """A PDF's text without whitespace: cups-pdf's output may space out CJK characters."""
    import pypdf

    return "".join("".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(path).pages)


def pdf_qr_codes(path: Path, dpi: int = 200) -> list[str]:
    """The QR codes on a PDF's first page, rasterised at `dpi`."""
    import pypdfium2
    import zxingcpp

    page = pypdfium2.PdfDocument(str(path))[0]
    image = page.render(scale=dpi / 72).to_pil()
    return [c.text for c in zxingcpp.read_barcodes(image)]
