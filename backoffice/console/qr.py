"""A QR code drawn as SVG on the server, for the console to put straight into its page: an
authenticator's otpauth:// address holds a secret, so it is never sent to a browser as a
separate image address it could fetch again, cache or log."""
from __future__ import annotations

import qrcode
from markupsafe import Markup, escape
from qrcode.constants import ERROR_CORRECT_M

MODULE_PX = 6


def svg(text: str, label: str) -> Markup:
    """The code as an <svg> element: black modules as one path on white, four modules of
    quiet zone (qrcode's border) so a phone's camera finds its edges."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    dark = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, on in enumerate(row) if on)
    return Markup(
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{size * MODULE_PX}" height="{size * MODULE_PX}" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{dark}" fill="#000"/></svg>')
