"""What the back office's A4 documents share (the e-licence, the result notice): a canvas with
the Chinese font the server installs, lines of text, and a QR code."""
from __future__ import annotations

import io
from pathlib import Path

FONT_CANDIDATES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)


class A4Page:
    def __init__(self, title: str):
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen import canvas

        font_path = next((p for p in FONT_CANDIDATES if p.exists()), None)
        self.font = "Helvetica"
        if font_path:
            if "WQY" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("WQY", str(font_path), subfontIndex=0))
            self.font = "WQY"
        self._buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self._buffer, pagesize=A4)
        self.width, self.height = A4
        self.canvas.setTitle(title)

    def centred(self, text: str, y: float, size: float) -> None:
        self.canvas.setFont(self.font, size)
        self.canvas.drawCentredString(self.width / 2, y, text)

    def lines(self, lines: list[str], x: float, y: float, step: float, size: float = 13) -> float:
        """The lines from `y` down, each wrapped within the margin it starts at (a long reason
        or name goes on below, indented); returns where the next one would go."""
        self.canvas.setFont(self.font, size)
        for line in lines:
            for number, part in enumerate(self.wrapped(line, size, self.width - 2 * x - 4 * size)):
                self.canvas.drawString(x + (4 * size if number else 0), y, part)
                y -= step
        return y

    def wrapped(self, text: str, size: float, width: float) -> list[str]:
        """`text` in lines no wider than `width`: Chinese breaks between any two characters,
        Latin words at a space where one is near."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        lines, current = [], ""
        for char in text:
            if current and stringWidth(current + char, self.font, size) > width:
                space = current.rfind(" ")
                if space > len(current) // 2:  # a word would be cut: move it to the next line
                    lines.append(current[:space])
                    current = current[space + 1:]
                else:
                    lines.append(current)
                    current = ""
            current += char
        return lines + [current]

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        code = QrCodeWidget(data)
        x0, y0, x1, y1 = code.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(code)
        renderPDF.draw(drawing, self.canvas, x, y)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()
