"""A4 documents as PDF (reportlab, the CJK font embedded): certificates and e-licences with
a verification QR code, item guides (一次性告知 of everything an item needs) and
correction notices. Each module lays out one document; `pdf` holds the shared page."""
from .certificate import Certificate, certificate_pdf
from .guide import GuideMaterial, ItemGuide, item_guide_pdf
from .notice import correction_notice_pdf

__all__ = ["Certificate", "GuideMaterial", "ItemGuide", "certificate_pdf", "correction_notice_pdf",
           "item_guide_pdf"]
