"""Faces for the five rating levels, drawn with Kivy's canvas (no image files): the mouth's
curve carries the meaning, the colour only repeats it, and the word is always beside it."""
from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget

from kiosk.ui import theme

# Mouth curvature per level: positive smiles, negative frowns (fraction of the face radius).
CURVE = {5: 0.36, 4: 0.20, 3: 0.0, 2: -0.20, 1: -0.36}
FILL = theme.FACE_FILL
INK = theme.TEXT


class Face(Widget):
    level = NumericProperty(3)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, level=self._draw)
        self._draw()

    def _draw(self, *_args) -> None:
        self.canvas.clear()
        level = int(self.level) if int(self.level) in CURVE else 3
        r = min(self.width, self.height) / 2 - 3
        if r <= 0:
            return
        cx, cy = self.center_x, self.center_y
        width = max(2.0, r / 14)
        with self.canvas:
            Color(*FILL[level])
            Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
            Color(*INK)
            Line(circle=(cx, cy, r), width=width)
            eye = r * 0.13
            for dx in (-0.36, 0.36):
                Ellipse(pos=(cx + dx * r - eye, cy + 0.25 * r - eye), size=(2 * eye, 2 * eye))
            # The mouth: a parabola whose corners rise (smile) or fall (frown) with the level.
            k = CURVE[level] * r
            half = 0.45 * r
            base = cy - 0.38 * r - k / 2
            points = []
            for i in range(17):
                t = -1 + i / 8
                points += [cx + t * half, base + k * t * t]
            Line(points=points, width=width, cap="round", joint="round")
