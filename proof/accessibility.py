"""Measures, from the live widget tree, what standards.md asks of every screen: touch
target sizes, text sizes in points on the kiosk's glass, the contrast of each text
against what is drawn behind it, text that overflows or is cut short, and strings left
in the other language. The tour calls `check()` on each screen it reaches, in both
languages and both modes; the report says which rule each widget breaks and by how much.

Numbers (standards.md, accessibility): targets at least 44x44 dp (60x60 in elder mode);
text at least 18 pt, and the page heading at least 30 pt in elder mode; contrast at least
4.5:1, or 3:1 for large text (24 pt, or 18.66 pt bold). Disabled controls are exempt from
contrast (WCAG 1.4.3). Only what is on the glass is measured: hidden (zero opacity or
size) and scrolled-out widgets are skipped."""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kivy.core.window import Window
from kivy.graphics import Color, Rectangle, RoundedRectangle
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

MIN_TARGET_DP = {False: 44, True: 60}
MIN_TEXT_PT = 18.0
MIN_ELDER_HEADING_PT = 30.0
LARGE_TEXT_PT, LARGE_BOLD_PT = 24.0, 18.66
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}[ ,.:;!?]+[A-Za-z]{3,}")


@dataclass(frozen=True)
class Violation:
    screen: str
    language: str
    elder: bool
    rule: str
    widget: str  # the widget's class and the start of its text
    measured: str
    required: str


@dataclass
class Report:
    screens_checked: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "accessibility.json").write_text(json.dumps(
            {"screens_checked": self.screens_checked, "violations": [asdict(v) for v in self.violations]},
            ensure_ascii=False, indent=1), encoding="utf-8")
        lines = ["# Accessibility check", "", f"{len(self.screens_checked)} screen views checked "
                 "(each screen of the tour, in Chinese and English, standard and elder mode).", ""]
        if not self.violations:
            lines.append("No violations.")
        else:
            lines += ["| screen | language | elder | rule | widget | measured | required |",
                      "|---|---|---|---|---|---|---|"]
            lines += [f"| {v.screen} | {v.language} | {'yes' if v.elder else 'no'} | {v.rule} | {v.widget} | "
                      f"{v.measured} | {v.required} |" for v in self.violations]
        (folder / "accessibility.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


class AccessibilityChecker:
    def __init__(self, app, diagonal_in: float):
        self.app = app
        width, height = Window.size
        self.px_per_pt = math.hypot(width, height) / diagonal_in / 72.0
        self.report = Report()

    # --- walking the glass -------------------------------------------------------------
    def check(self, screen: str) -> None:
        app = self.app
        language, elder = app.translator.language, app.style.elder
        self.report.screens_checked.append(f"{screen} ({language}, {'elder' if elder else 'standard'})")
        found = []
        for widget, clip in _visible_widgets(Window):
            if isinstance(widget, ButtonBehavior) and not getattr(widget, "disabled", False):
                found += self._target(widget, elder)
            if isinstance(widget, Label) and widget.text.strip():
                found += self._text(widget, clip, elder, language)
        heading = app.manager.current_screen.ids.get("heading")
        if elder and heading is not None and heading.text.strip():
            points = heading.font_size / self.px_per_pt
            if points + 0.05 < MIN_ELDER_HEADING_PT:
                found.append(("elder heading size", _name(heading), f"{points:.1f} pt",
                              f">= {MIN_ELDER_HEADING_PT} pt"))
        self.report.violations += [Violation(screen, language, elder, *v) for v in found]

    # --- rules ---------------------------------------------------------------------------
    def _target(self, widget, elder: bool) -> list[tuple]:
        need = dp(MIN_TARGET_DP[elder])
        if min(widget.width, widget.height) + 0.5 >= need:
            return []
        return [("target size", _name(widget), f"{widget.width:.0f}x{widget.height:.0f} px",
                 f">= {need:.0f}x{need:.0f} px")]

    def _text(self, label: Label, clip, elder: bool, language: str) -> list[tuple]:
        found = []
        points = label.font_size / self.px_per_pt
        if points + 0.05 < MIN_TEXT_PT:
            found.append(("text size", _name(label), f"{points:.1f} pt", f">= {MIN_TEXT_PT} pt"))
        if not getattr(label, "disabled", False):
            background = _background(label)
            ratio = contrast(label.color, background)
            large = points >= LARGE_TEXT_PT or (label.bold and points >= LARGE_BOLD_PT)
            need = 3.0 if large else 4.5
            if ratio + 0.005 < need:
                found.append(("contrast", _name(label), f"{ratio:.2f}:1 ({_hex(label.color)} on {_hex(background)})",
                              f">= {need}:1"))
        off = _off_the_glass(label)
        if off:
            found.append(("off the glass", _name(label), off, "inside the window"))
        overflow = _overflow(label, clip)
        if overflow:
            found.append(("text cut", _name(label), overflow, "all of the text shown"))
        stray = "" if _not_ours_to_translate(label) else _other_language(label.text, language)
        if stray:
            found.append(("untranslated", _name(label), stray, f"text in {language}"))
        return found


def _visible_widgets(root, clip=None):
    """(widget, clipping box in window coordinates) for what is on the glass."""
    for child in list(root.children):
        if child.opacity <= 0 or child.width <= 0 or child.height <= 0:
            continue
        x, y = child.to_window(child.x, child.y) if child.parent is not None else (child.x, child.y)
        box = (x, y, x + child.width, y + child.height)
        if clip is not None and (box[2] <= clip[0] or box[0] >= clip[2] or box[3] <= clip[1] or box[1] >= clip[3]):
            continue  # scrolled out of its view
        yield child, clip
        inner = clip
        if isinstance(child, ScrollView):
            inner = box if clip is None else (max(box[0], clip[0]), max(box[1], clip[1]),
                                              min(box[2], clip[2]), min(box[3], clip[3]))
        yield from _visible_widgets(child, inner)


def _name(widget) -> str:
    text = getattr(widget, "text", "")
    text = text if isinstance(text, str) else ""
    short = text.replace("\n", " ")[:24]
    return f"{type(widget).__name__} «{short}»" if short else type(widget).__name__


def _off_the_glass(widget) -> str:
    """A page taller than the window is pushed out of it (at the top, in Kivy)."""
    x, y = widget.to_window(widget.x, widget.y)
    if y + widget.height > Window.height + 2 or y < -2:
        return f"y {y:.0f} to {y + widget.height:.0f} in a {Window.height} px window"
    return ""


def _overflow(label: Label, clip) -> str:
    width, height = label.texture_size
    if label.text_size[0] is not None and width > label.width + 2:
        return f"{width:.0f} px wide in {label.width:.0f}"
    if label.text_size[1] is not None and height > label.height + 2:
        return f"{height:.0f} px tall in {label.height:.0f}"
    if label.shorten and label.text_size[0] and label._label is not None:
        full = max(label._label.get_extents(line)[0] for line in label.text.split("\n"))
        if full > label.text_size[0] + 2:
            return "shortened with an ellipsis"
    if label.text_size == [None, None] and width > label.width + 2:
        return f"{width:.0f} px wide in {label.width:.0f}"
    return ""


def _not_ours_to_translate(label) -> bool:
    """What the citizen typed (`user_text`), and words quoted as they are (`quoted`): a
    device's own report or a log line on the maintenance tiles, as `kiosk-diag report`
    prints them, and what citizens will read in each language."""
    return getattr(label, "user_text", False) or getattr(label, "quoted", False)


def _other_language(text: str, language: str) -> str:
    letters = [c for c in text if not c.isspace() and not c.isdigit()]
    if language == "en":
        cjk = sum(1 for c in letters if CJK.match(c))
        # Chinese terms inside English sentences (容缺, 一件事) and masked names are meant
        return "Chinese text" if len(letters) > 3 and cjk > len(letters) / 2 else ""
    return "English words" if ENGLISH_WORDS.search(text) else ""


def _background(label) -> tuple:
    """The colour drawn behind the label: its own button background, else the nearest
    ancestor that paints a rectangle, else the window."""
    widget = label
    while widget is not None:
        if isinstance(widget, ButtonBehavior) and getattr(widget, "background_normal", None) == "":
            return tuple(widget.background_color)
        colour = _painted(widget)
        if colour is not None:
            return colour
        widget = widget.parent if widget.parent is not widget else None
    return tuple(Window.clearcolor)


def _painted(widget):
    """The colour of the last filled rectangle the widget draws under its children."""
    found, colour, plain = None, None, _plain_texture()
    for group in (widget.canvas.before, widget.canvas):
        for instruction in group.children:
            if isinstance(instruction, Color):
                colour = tuple(instruction.rgba)
            elif isinstance(instruction, (Rectangle, RoundedRectangle)) and colour is not None \
                    and instruction.texture in (None, plain) and colour[3] > 0.5 \
                    and _covers(instruction, widget):
                found = colour  # a filled background, not a picture, a label's text or a rule
    return found


def _covers(shape, widget) -> bool:
    width, height = shape.size
    return width * height >= 0.8 * widget.width * widget.height


def _plain_texture():
    """The white texture Kivy gives a shape drawn without one."""
    global _PLAIN
    if _PLAIN is None:
        _PLAIN = Rectangle().texture
    return _PLAIN


_PLAIN = None


def _hex(colour) -> str:
    return "#" + "".join(f"{round(c * 255):02X}" for c in colour[:3])


def contrast(foreground, background) -> float:
    """WCAG 2 contrast ratio of two RGB(A) colours (alpha blended over the background)."""
    fg = _blend(foreground, background)
    lighter, darker = sorted((_luminance(fg), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _blend(fg, bg) -> tuple:
    alpha = fg[3] if len(fg) > 3 else 1.0
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg[:3]))


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
