"""A4 documents as PDF (reportlab, the CJK font embedded): certificates and e-licences with
a verification QR code (certificate), item guides (guide: 一次性告知 of everything an item
needs), correction notices (notice) and result notices (result_notice). Each module lays out
one document; `pdf` holds the shared page.

Nothing is imported here: reportlab takes a tenth of a second to import, and the kiosk
imports it only when it first makes a PDF. Import from the modules themselves."""
