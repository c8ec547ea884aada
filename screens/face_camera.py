"""The face check's camera page: the citizen's picture as in a mirror, an oval to put their
face in (green once it sits there), what to do now in words (and aloud, by the journey),
and the texted code one tap away. The journey decides when the turn starts and what the
answer means; this page only shows the camera and the journey's state."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.image import Image

from domain.i18n import N_
from kiosk.journeys.face import MSG_LOOK, MSG_TURN, Phase
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage

VIEW_HEIGHT_DP = 600
FRAME_INTERVAL_S = 0.2  # five pictures a second: enough to place a face, cheap on a software renderer
GUIDE_CENTRE = (0.5, 0.45)  # as devices/face/cue.py expects the face: a little above the middle
GUIDE_SIZE = (0.36, 0.62)  # the oval's width and height as shares of the picture's
GUIDE_WIDTH_DP = 5
# What the face guide's cue asks of the citizen (devices/face/cue.py CueKind values).
CUE_ASKS = {
    "none": N_("We cannot see a face yet. Stand in front of the screen and look at the camera."),
    "too_far": N_("Please come a little closer."),
    "too_near": N_("Please step back a little."),
    "off_centre": N_("Move so that your face is inside the oval."),
    "several": N_("Only one person in front of the camera, please."),
    "centred": N_("Hold still…"),
}


class FaceView(Image):
    """The camera's picture, mirrored, with the guide's oval over it."""

    def __init__(self, **kwargs):
        super().__init__(size_hint_y=None, height=dp(VIEW_HEIGHT_DP), fit_mode="contain", **kwargs)
        with self.canvas.after:
            self._colour = Color(*theme.WARNING)
            self._oval = Line(width=dp(GUIDE_WIDTH_DP))
        self.bind(pos=self._place_guide, size=self._place_guide, texture=self._place_guide)

    def show(self, bgr) -> None:
        """A BGR frame: a fresh texture each time, as an in-place upload stalls a software renderer."""
        small = bgr[::2, ::2, ::-1]  # half size, RGB: the view is smaller than the camera's picture
        height, width = small.shape[:2]
        texture = Texture.create(size=(width, height), colorfmt="rgb")
        texture.blit_buffer(small.copy().tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        texture.flip_vertical()  # image rows run top-down, GL's bottom-up
        texture.flip_horizontal()  # a mirror: the citizen's left on the left
        self.texture = texture

    def in_place(self, placed: bool) -> None:
        self._colour.rgba = theme.SUCCESS if placed else theme.WARNING

    def _place_guide(self, *_args) -> None:
        width, height = self.norm_image_size if self.texture is not None else (self.width * 0.75, self.height)
        left, bottom = self.center_x - width / 2, self.center_y - height / 2
        oval_w, oval_h = width * GUIDE_SIZE[0], height * GUIDE_SIZE[1]
        centre_x = left + width * GUIDE_CENTRE[0]
        centre_y = bottom + height * (1 - GUIDE_CENTRE[1])
        self._oval.ellipse = (centre_x - oval_w / 2, centre_y - oval_h / 2, oval_w, oval_h)


class FaceCameraScreen(JourneyPage):
    screen_name = Screen.FACE_CAMERA
    journey_name = "face"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.view: FaceView | None = None
        self.asking = None  # the label saying what to do now
        self._ticking = None
        self._shown = ""

    def refresh(self) -> None:
        state = self.fresh_state()
        self._stop_ticking()
        self.view = self.asking = None
        self._shown = ""
        if state is None:
            return
        self.ids.heading.text = self._(N_("Look at the camera"))
        self.ids.hint.text = self._(N_("The pictures are used for this check only and then deleted."))
        if state.notice:
            self.text(self._(state.notice), color=theme.WARNING)
        self.asking = self.text(self._(MSG_LOOK), size="heading", bold=True, color=theme.PRIMARY)
        self.view = FaceView()
        self.ids.body.add_widget(self.view)
        self.button(self._(N_("Text me a code instead")), self.flow.use_code, key="code", secondary=True)
        self._tick(0)

    def on_enter(self, *_args):
        super().on_enter()
        if self._ticking is None and self.view is not None:
            self._ticking = Clock.schedule_interval(self._tick, FRAME_INTERVAL_S)

    def on_leave(self, *_args):
        self._stop_ticking()

    def _tick(self, _dt) -> None:
        state, camera = self.flow.current_state(), self.flow.camera
        if state is None or self.view is None or camera is None:
            return
        frame = camera.preview_frame()
        if frame is not None:
            self.view.show(frame)
        self.view.in_place(state.phase is not Phase.WAITING or state.cue == "centred")
        if state.phase is Phase.WAITING:
            asks = CUE_ASKS.get(state.cue, MSG_LOOK)
        else:  # turning, or the frames taken and being checked
            asks = MSG_TURN.get(state.action, MSG_LOOK)
        if asks != self._shown:
            self._shown = asks
            self.asking.text = self._(asks)

    def _stop_ticking(self) -> None:
        if self._ticking is not None:
            self._ticking.cancel()
            self._ticking = None

    def go_back(self) -> None:
        self.flow.back()

    def reset(self) -> None:
        self._stop_ticking()
        self.view = self.asking = None
        super().reset()
