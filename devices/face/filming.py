"""The simulated face camera's frames: a scene (scene.py) as 640x480 frames over time.

All of it is synthetic (the faces are real photographs, portraits.py):
- a live person sways a little; asked to turn, their head is warped so that the nose
  moves across the face further than the eyes do, the parallax of a real head turning;
  asked to blink, a lid of their own skin (carried up from under each eye) closes over
  the eye for about a second, a line of lashes at its edge;
- a photo held up is a flat print turned and moved as one plane: every point of it
  follows the same perspective transform, so the nose never moves against the eyes;
- a tablet held up plays a video of the person doing as asked, inside its bezel.

A binocular camera's second eye films the same scene in near-infrared, lit by its own
lamp: the room behind falls dark, skin and paper show in grey, and a screen, which gives
off no infrared, is a dark pane with no face in it."""
from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from .portraits import Portrait, portrait
from .scene import DISTANCES, FRAME_SIZE, Scene

TURN_PERIOD_S = 2.4  # one head turn and back (or one blink), then again, while the scene plays
MAX_TURN = 1.0  # the warp's full strength, about a 30-degree turn
BLINK_SHUT = (0.5, 0.7, 1.5, 1.7)  # seconds into the period: closing, closed, opening, open


def render(scene: Scene, t: float, seq: int = 0, infrared: bool = False) -> np.ndarray:
    """The frame at `t` seconds into the scene (BGR, FRAME_SIZE), with fresh sensor noise;
    `infrared`: as a binocular camera's near-infrared eye sees it (grey)."""
    frame = (room_in_infrared() if infrared else room()).astype(np.float32)
    w, h = FRAME_SIZE
    seen = _in_infrared if infrared else (lambda person: person)
    sway = (8 * math.sin(2 * math.pi * t / 3.1), 4 * math.sin(2 * math.pi * t / 2.3))
    if scene.kind == "person":
        _place(frame, seen(_doing(portrait(scene.person), scene.action, t)), DISTANCES[scene.distance],
               (w / 2 + sway[0], h * 0.45 + sway[1]))
    elif scene.kind == "photo":
        _hold_up(frame, seen(portrait(scene.person)), t)
    elif scene.kind == "screen":
        _place(frame, _on_a_screen(_doing(portrait(scene.person), scene.action, t), infrared), DISTANCES["ok"],
               (w / 2 + sway[0] / 2, h * 0.45 + sway[1] / 2))
    elif scene.kind == "two_people":
        _place(frame, seen(portrait(scene.person)), 0.2, (w * 0.28, h * 0.45))
        _place(frame, seen(portrait(scene.other)), 0.2, (w * 0.72, h * 0.47))
    frame += _noise()[seq % NOISE_FRAMES].mean(axis=2, keepdims=True) if infrared else _noise()[seq % NOISE_FRAMES]
    return np.clip(frame, 0, 255).astype(np.uint8)


def _doing(person: Portrait, action: str, t: float) -> Portrait:
    """The person `t` seconds into doing `action` (a head turn, a blink, or nothing)."""
    turn, shut = head_turn(action, t), eyes_shut(action, t)
    if turn:
        person = turned(person, turn)
    if shut:
        person = eyes_closed(person, shut)
    return person


SCREEN_BEZEL = 18  # pixels of the portrait's scale: a tablet's black frame around its picture
SCREEN_BACKDROP = (196, 200, 204)  # the wall behind the person in the video


def _on_a_screen(person: Portrait, infrared: bool) -> Portrait:
    """The person's video on a tablet: the picture on its own backdrop inside a black bezel.
    In infrared the screen gives off nothing: a dark pane, its bezel a little lighter."""
    a = person.alpha[:, :, None]
    picture = person.image * a + np.float32(SCREEN_BACKDROP) * (1 - a)
    if infrared:
        picture = np.full(picture.shape, 14, np.float32)
    bezel = 34 if infrared else 12
    tablet = cv2.copyMakeBorder(picture.astype(np.uint8), SCREEN_BEZEL, SCREEN_BEZEL, SCREEN_BEZEL, SCREEN_BEZEL,
                                cv2.BORDER_CONSTANT, value=(bezel, bezel, bezel))
    x, y, fw, fh = person.face
    return Portrait(tablet, np.ones(tablet.shape[:2], np.float32), (x + SCREEN_BEZEL, y + SCREEN_BEZEL, fw, fh),
                    person.eyes, person.nose, person.source)


def _in_infrared(person: Portrait) -> Portrait:
    return Portrait(in_infrared(person.image), person.alpha, person.face, person.eyes, person.nose, person.source)


def in_infrared(image: np.ndarray) -> np.ndarray:
    """Skin and print in near-infrared: grey, brighter and flatter than in daylight
    (3 channels, as a camera's grey frames come)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32) * 1.1 + 25
    return cv2.cvtColor(np.clip(grey, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


NOISE_FRAMES = 8  # sensor noise drawn once and cycled: drawing it afresh cost more than the frame


@functools.cache
def _noise() -> np.ndarray:
    w, h = FRAME_SIZE
    return np.random.default_rng(7).normal(0, 2.5, (NOISE_FRAMES, h, w, 3)).astype(np.float32)


@functools.cache
def room_in_infrared() -> np.ndarray:
    """The hall in the infrared eye: the lamp beside the camera lights only what is near."""
    grey = cv2.cvtColor(room(), cv2.COLOR_BGR2GRAY).astype(np.float32) * 0.3
    return cv2.cvtColor(grey.astype(np.uint8), cv2.COLOR_GRAY2BGR)


@functools.cache
def room() -> np.ndarray:
    """The service hall behind the citizen: a lit wall, a door frame, a notice board."""
    w, h = FRAME_SIZE
    across, down = np.linspace(1, -1, w, dtype=np.float32), np.linspace(0.5, 1, h, dtype=np.float32)
    wall = 150 + 40 * across[None, :] * down[:, None]  # lit from the left, darker toward the ceiling
    image = np.repeat(wall[:, :, None], 3, axis=2) * np.float32([0.92, 0.97, 1.0])
    cv2.rectangle(image, (470, 60), (600, 480), (95, 105, 120), -1)  # a door
    cv2.rectangle(image, (40, 90), (170, 200), (200, 200, 195), -1)  # a notice board
    cv2.rectangle(image, (40, 90), (170, 200), (60, 60, 60), 3)
    return np.clip(image, 0, 255).astype(np.uint8)


def head_turn(action: str, t: float) -> float:
    """-1..1: how far the head is turned now (positive toward the camera's right, which
    is the person's left); a turn there and back each TURN_PERIOD_S."""
    if action not in ("turn_left", "turn_right"):
        return 0.0
    phase = (t % TURN_PERIOD_S) / TURN_PERIOD_S
    strength = MAX_TURN * math.sin(math.pi * phase)
    return strength if action == "turn_left" else -strength


def eyes_shut(action: str, t: float) -> float:
    """0..1: how far the eyes are closed now, for a blink each TURN_PERIOD_S."""
    if action != "blink":
        return 0.0
    closing, closed, opening, opened = BLINK_SHUT
    t %= TURN_PERIOD_S
    if t <= closing or t >= opened:
        return 0.0
    if t < closed:
        return (t - closing) / (closed - closing)
    return 1.0 if t <= opening else (opened - t) / (opened - opening)


def eyes_closed(person: Portrait, shut: float) -> Portrait:
    """The portrait with its eyes closed by `shut` (0..1)."""
    closed = close_eyes(person.image, person.eyes, shut)
    return Portrait(closed, person.alpha, person.face, person.eyes, person.nose, person.source)


def close_eyes(image: np.ndarray, eyes, shut: float) -> np.ndarray:
    """`image` with the eyes centred at `eyes` (two x, y points) closed by `shut` (0..1):
    over each an ellipse of the skin just under it, carried up (the lid), blended in by
    `shut`, with a dark curve of lashes at its lower edge (synthetic: no 3-D model)."""
    (lx, ly), (rx, ry) = eyes
    span = math.hypot(rx - lx, ry - ly)
    h, w = image.shape[:2]
    ys, xs = (a.astype(np.float32) for a in np.mgrid[0:h, 0:w])
    out = image.astype(np.float32)
    for cx, cy in eyes:
        a, b = 0.28 * span, 0.14 * span  # the eye's opening with a margin
        inside = ((xs - cx) / a) ** 2 + ((ys - cy) / b) ** 2
        lid_mask = np.clip((1.25 - inside) / 0.5, 0, 1) * shut
        lid = cv2.remap(image, xs, np.clip(ys + 2.2 * b, 0, h - 1), cv2.INTER_LINEAR).astype(np.float32)
        out = out * (1 - lid_mask[..., None]) + lid * lid_mask[..., None]
        edge = cy + 0.35 * b + 0.25 * b * ((xs - cx) / a) ** 2
        lashes = np.exp(-((ys - edge) / max(1.0, 0.025 * span)) ** 2) * (np.abs(xs - cx) < 0.95 * a) * 0.7 * shut
        out = out * (1 - lashes[..., None]) + 35 * lashes[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def turned(person: Portrait, turn: float) -> Portrait:
    """The head turned by `turn` (-1..1): a displacement that is largest at the nose and
    falls off fast, so the eyes move much less far (synthetic: no 3-D model)."""
    (lx, ly), (rx, ry) = person.eyes
    span = math.hypot(rx - lx, ry - ly)  # the eyes' distance sets the scale of the face's features
    nx, ny = person.nose
    h, w = person.image.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    nose = np.exp(-((xs - nx) ** 2 / (2 * (0.3 * span) ** 2) + (ys - ny) ** 2 / (2 * (0.35 * span) ** 2)))
    head = np.exp(-((xs - nx) ** 2 + (ys - ny) ** 2) / (2 * (1.5 * span) ** 2))
    shift = turn * (0.45 * span * nose + 0.06 * span * head)
    map_x = (xs - shift).astype(np.float32)
    image = cv2.remap(person.image, map_x, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.remap(person.alpha, map_x, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return Portrait(image, alpha, person.face, person.eyes, person.nose, person.source)


def _place(frame: np.ndarray, person: Portrait, face_share: float, centre: tuple[float, float]) -> None:
    """The portrait scaled so its face is `face_share` of the frame's width, its face centred
    on `centre`, blended in through its alpha (cut where it leaves the frame)."""
    x, y, fw, fh = person.face
    scale = face_share * FRAME_SIZE[0] / fw
    m = np.float32([[scale, 0, centre[0] - scale * (x + fw / 2)], [0, scale, centre[1] - scale * (y + fh / 2)]])
    _blend(frame, person.image, person.alpha, m, cv2.warpAffine)


def _hold_up(frame: np.ndarray, person: Portrait, t: float) -> None:
    """The portrait printed with a white border, held up at arm's length, turned about its
    vertical axis and moved: one perspective transform for the whole sheet."""
    border = 16
    backdrop = np.full(person.image.shape, 205, np.float32)  # the photographer's backdrop
    a = person.alpha[:, :, None]
    printed = (person.image * a + backdrop * (1 - a)).astype(np.uint8)
    sheet = cv2.copyMakeBorder(printed, border, border, border, border, cv2.BORDER_CONSTANT,
                               value=(232, 236, 238))
    alpha = np.ones(sheet.shape[:2], np.float32)
    sh, sw = sheet.shape[:2]
    angle = math.radians(28) * math.sin(2 * math.pi * t / 3.0)
    focal = 800.0
    depth = focal * person.face[2] / (DISTANCES["ok"] * FRAME_SIZE[0])  # its face as wide as a person's
    cx = FRAME_SIZE[0] / 2 + 30 * math.sin(2 * math.pi * t / 4.1)
    cy = FRAME_SIZE[1] * 0.45 + 10 * math.sin(2 * math.pi * t / 2.7)
    fx, fy = person.face[0] + border + person.face[2] / 2, person.face[1] + border + person.face[3] / 2
    corners = []
    for px, py in ((0, 0), (sw, 0), (sw, sh), (0, sh)):
        X, Y = px - fx, py - fy  # the sheet's plane, centred on the face, in sheet pixels
        Z = depth + X * math.sin(angle)
        corners.append((cx + focal * X * math.cos(angle) / Z, cy + focal * Y / Z))
    src = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]])
    m = cv2.getPerspectiveTransform(src, np.float32(corners))
    _blend(frame, sheet, alpha, m, cv2.warpPerspective)


def _blend(frame: np.ndarray, image: np.ndarray, alpha: np.ndarray, m: np.ndarray, warp) -> None:
    size = FRAME_SIZE
    layer = warp(image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT).astype(np.float32)
    a = warp(alpha, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)[:, :, None]
    frame *= 1 - a
    frame += layer * a
