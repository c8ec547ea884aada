"""Regression (found by the soak, proof/soak/): offscreen, a label's texture is replaced on
every change of its text (kiosk/runtime/label_rendering.py), and without each frame finished
(kiosk/runtime/offscreen_frames.py) Mesa kept every replaced texture: the kiosk's RSS grew by
hundreds of MiB per round of the journeys."""
from __future__ import annotations

from kivy.core.window import Window
from kivy.uix.label import Label

from proof.soak.resources import rss_kib


def test_labels_whose_text_changes_every_frame_do_not_pile_up_textures(kiosk_app, ui):
    label = Label(font_size="40sp", size_hint=(None, None), size=(1000, 120), pos=(40, 600))
    Window.add_widget(label)
    try:
        def redraw(times: int, start: int) -> None:
            for n in range(start, start + times):
                label.text = f"办件进度 {n:06d} 澄迈县 self-service"  # a new texture each time, ~900x60 px
                ui.pump(1)

        redraw(50, 0)  # warm: the font's glyphs, the first textures
        before = rss_kib()
        redraw(400, 50)
        grown_mib = (rss_kib() - before) / 1024
    finally:
        Window.remove_widget(label)
    # 400 textures of ~200 KiB each would be ~80 MiB if none were freed.
    assert grown_mib < 25, f"RSS grew by {grown_mib:.0f} MiB over 400 label redraws"
