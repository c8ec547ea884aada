"""Face verification (backoffice/face, presence_face.py): capture to decision for one
challenge's frames through a real back office over HTTP, against the face model's own
work on the same frames in the same run; and the model's error rates on the faces that
ship in packages (tests/face/faces.py), with what those few faces cannot say.
Command: `.venv/bin/python -m benchmarks face` (or `make bench`)."""
from __future__ import annotations

import base64
import itertools
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import requests

from benchmarks.machine_load import MachineLoad
from benchmarks.report import goal_line

RUNS = 30
WANG = "469023195801041234"
GOAL_P95_S = 1.5
THRESHOLD = 0.45


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def run() -> str:
    from backoffice.face.model import model

    started = time.perf_counter()
    face_model = model()
    load_s = time.perf_counter() - started
    with MachineLoad() as load:
        api, bare, breakdown, blinks = timings(face_model)
    errors = error_rates(face_model)
    liveness = liveness_rates(face_model)
    api_p95, bare_p95 = p95(api), p95(bare)
    lines = [
        "## Face verification (backoffice/face)",
        "",
        "Command: `.venv/bin/python -m benchmarks face`. Capture to decision: the kiosk has its 5 frames "
        "(640x480 JPEG, quality 85; 5 of a synthetic head turn or 8 of a synthetic blink of a real face, "
        "whichever the back office asked: tests/face/faces.py) and sends them; "
        "measured from the request leaving to the grant's answer, through a real back office (SQLite, one "
        "process, loopback), for a resident ID card whose photo on record the real-person service's emulator "
        "compares (a real provider's network time is not in it). Each run is a new challenge and new frames. "
        f"Baseline in the same run: the face model's own work on the same frames in this process (decode, "
        f"detect, landmarks and embed every frame, then the emulator's comparison with the photo on record), "
        f"without HTTP, database or audit. "
        f"The model loads once per server process on first use ({load_s:.2f} s here, not in the figures).",
        "",
        "| path | runs | median s | p95 s | max s |",
        "|---|---|---|---|---|",
        f"| POST /v1/presence/face-grants, capture to decision | {len(api)} | {statistics.median(api):.3f} | "
        f"{api_p95:.3f} | {max(api):.3f} |",
        f"| of which blinks (8 frames) | {len(blinks)} | "
        + (f"{statistics.median(blinks):.3f} | {p95(blinks):.3f} | {max(blinks):.3f} |" if blinks else "- | - | - |"),
        f"| the model alone on the same frames (baseline) | {len(bare)} | {statistics.median(bare):.3f} | "
        f"{bare_p95:.3f} | {max(bare):.3f} |",
        "",
        f"Ratio: the whole path's p95 is {api_p95 / bare_p95:.2f}x the model's own. Per frame (median): "
        f"decode {breakdown['decode'] * 1000:.0f} ms, detect with 5 landmarks {breakdown['detect'] * 1000:.0f} ms, "
        f"embed {breakdown['embed'] * 1000:.0f} ms (only the frames facing the camera and the furthest turned or "
        f"closed are embedded: 3 of 5 for a turn, 3 of 8 for a blink); the photo on record, found and "
        f"embedded, {breakdown['reference'] * 1000:.0f} ms, "
        "and the emulator finds and embeds the frame it is shown again, as a real service would. dlib runs on "
        "one core: a second grant in the same process waits for the first (the model's lock), so two at once "
        "on these 2 cores take about twice as long.",
        "",
        goal_line(f"capture to decision for a challenge's frames, p95 under {GOAL_P95_S} s on these 2 cores",
                  f"{api_p95:.2f} s", api_p95 < GOAL_P95_S),
        "",
        load.note("the back office's server and this process"),
        "",
        "### Error rates on the faces available",
        "",
        f"At the threshold {THRESHOLD} (BACKOFFICE_FACE_MATCH_THRESHOLD; dlib's own default is 0.6). "
        "Genuine pairs: Eileen Collins' passport-style reference (a 240x285 crop, JPEG quality 50) against "
        "changed copies of her photograph; there is no second photograph of anyone in a package, so every "
        "genuine pair is one photograph and its copy, easier than two photographs years apart. Impostor "
        "pairs: the three real people (Eileen Collins, Grace Hopper, Lionel Messi) against each other, and "
        "each against scikit-image's 100 LFW faces (25x25 grey, upscaled, identities unlabelled), which are "
        "thumbnails far worse than a kiosk's camera gives.",
        "",
        "| pairs | count | rejected or no face | accepted | distances |",
        "|---|---|---|---|---|",
    ]
    for name, (count, distances, missed) in errors.items():
        accepted = sum(d <= THRESHOLD for d in distances)
        spread = f"{min(distances):.3f} to {max(distances):.3f}" if distances else "-"
        lines.append(f"| {name} | {count} | {count - accepted} ({missed} no face) | {accepted} | {spread} |")
    genuine, impostor = errors["genuine (same face, changed)"], errors["impostor (different people)"]
    lines += [
        "",
        f"False rejections {(genuine[0] - sum(d <= THRESHOLD for d in genuine[1])) / genuine[0]:.1%} of "
        f"{genuine[0]} genuine pairs; false acceptances {sum(d <= THRESHOLD for d in impostor[1]) / impostor[0]:.1%} "
        f"of {impostor[0]} impostor pairs. With one genuine identity and about 100 impostor identities these "
        "are not rates a county can rely on (the rule of three: 0 of 300 bounds a rate only under about 1%); "
        "measure on consented kiosk recordings, children and older people among them (dlib's model is known "
        "to be weaker on children).",
        "",
        "Liveness (liveness.py, a head turn from the 5 landmarks; blink.py, the eyes' darkness between their "
        "corners): "
        + "; ".join(f"{name}: {passed} of {count} passed" for name, (count, passed) in liveness.items())
        + ". The live sequences are synthetic warps of real faces (a lid of their own skin drawn over the eyes "
          "for a blink); the spoofs are those faces as flat prints moved, scaled, rotated and tilted. Neither "
          "is a real head or a real print in front of a real camera.",
    ]
    return "\n".join(lines)


def timings(face_model) -> tuple[list[float], list[float], dict[str, float], list[float]]:
    from backoffice.face import blink, detect, images, liveness, sequence
    from backoffice.face.embed import embedding
    from backoffice.face.realperson import EmulatedRealPerson
    from demo.embedded_backoffice import EmbeddedBackoffice
    from services.api import TerminalSignature
    from tests.face import faces

    glass = faces.astronaut_at_the_glass()
    landmarks = detect.one_face(face_model, glass).landmarks
    record = faces.jpeg(faces.astronaut()[0:380, 60:380], 70)
    seeds = itertools.count(10_000)
    api: list[float] = []
    bare: list[float] = []
    blinks: list[float] = []
    parts: dict[str, list[float]] = {"decode": [], "detect": [], "embed": [], "reference": []}
    with tempfile.TemporaryDirectory(prefix="bench-face-") as tmp:
        server = EmbeddedBackoffice(database=Path(tmp) / "backoffice.db")
        server.start()
        try:
            (server.real_person_photos / f"{WANG}.jpg").write_bytes(record)
            service = EmulatedRealPerson(server.real_person_photos)
            http = requests.Session()
            http.auth = TerminalSignature("CM-KIOSK-0001", server.terminal_secret_file.read_text())
            for run_index in range(RUNS + 1):  # the first warms the server's model up
                session_ref = uuid.uuid4().hex
                issued = http.post(f"{server.url}/v1/presence/face-challenges", timeout=60, json={
                    "session": session_ref, "document_kind": "resident_id", "document_number": WANG,
                    "consent_version": "bench", "actions": list(sequence.ACTIONS)}).json()
                action = issued["actions"][0]
                moving = (faces.live_blink(glass, landmarks, seed=next(seeds)) if action == blink.BLINK else
                          faces.live_turn(glass, landmarks, left=action == liveness.TURN_LEFT, seed=next(seeds)))
                frames = [faces.jpeg(f) for f in moving]
                body = {"session": session_ref, "challenge": issued["challenge"],
                        "frames": [base64.b64encode(f).decode() for f in frames]}
                sent = time.perf_counter()
                answer = http.post(f"{server.url}/v1/presence/face-grants", json=body, timeout=60)
                took = time.perf_counter() - sent
                assert answer.status_code == 201, answer.text
                sent = time.perf_counter()
                live = sequence.live_face(face_model, frames, issued["actions"][0])
                verdict = service.compare(WANG, "", live.best_frame, THRESHOLD)
                bare.append(time.perf_counter() - sent)
                api.append(took)
                if action == blink.BLINK and run_index:
                    blinks.append(took)
                assert verdict is not None and verdict.match
                for frame in frames:
                    t0 = time.perf_counter()
                    rgb = images.decode(frame)
                    t1 = time.perf_counter()
                    face = detect.one_face(face_model, rgb)
                    t2 = time.perf_counter()
                    embedding(face_model, rgb, face)
                    t3 = time.perf_counter()
                    parts["decode"].append(t1 - t0)
                    parts["detect"].append(t2 - t1)
                    parts["embed"].append(t3 - t2)
                t0 = time.perf_counter()
                sequence.reference_embedding(face_model, record)
                parts["reference"].append(time.perf_counter() - t0)
                assert live.excursion >= (liveness.TURN_MIN if action != blink.BLINK else 1 - blink.CLOSED_RATIO)
        finally:
            server.stop()
    return api[1:], bare[1:], {k: statistics.median(v) for k, v in parts.items()}, blinks


def error_rates(face_model) -> dict[str, tuple[int, list[float], int]]:
    """pairs -> (how many, the distances of those with a face found, how many had none)."""
    import cv2
    import dlib
    import skimage.data

    from backoffice.face import detect, sequence
    from backoffice.face.compare import distance
    from backoffice.face.embed import embedding
    from tests.face import faces

    def embedded(rgb, upsample=0):
        try:
            return embedding(face_model, rgb, detect.one_face(face_model, rgb, upsample))
        except (detect.NoFace, detect.ManyFaces):
            return None

    a = faces.astronaut()
    reference = sequence.reference_embedding(face_model, faces.jpeg(cv2.resize(a[0:380, 60:380], (240, 285)), 50))
    rng = np.random.default_rng(7)
    changed = [faces.frame(a), a[0:300, 100:350], faces.frame(faces.astronaut_at_the_glass())]
    changed += [faces.rotated(a, d) for d in (-30, -15, -5, 5, 15, 30)]
    changed += [faces.blurred(a, k) for k in (3, 7, 11, 15)]
    changed += [faces.brightness(a, g, o) for g, o in ((0.4, 0), (0.6, 0), (1.0, 40), (1.0, 60), (1.3, 0))]
    changed += [cv2.imdecode(np.frombuffer(faces.jpeg(a, q), np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
                for q in (15, 30, 50)]
    changed += [cv2.cvtColor(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB), a[:, ::-1].copy()]
    changed += [np.clip(a + rng.normal(0, s, a.shape), 0, 255).astype(np.uint8) for s in (10, 20)]
    genuine = [embedded(c) for c in changed]
    people = {"astronaut": embedded(a), "hopper": embedded(faces.grace_hopper()),
              "messi": embedded(faces.messi(), upsample=1)}
    lfw = skimage.data.lfw_subset()[:100]
    strangers = []
    for thumb in lfw:
        rgb = cv2.cvtColor(cv2.resize((thumb * 255).astype(np.uint8), (150, 150), interpolation=cv2.INTER_CUBIC),
                           cv2.COLOR_GRAY2RGB)
        box = dlib.rectangle(0, 0, 149, 149)  # too small for the detector: the whole thumbnail is the face
        with face_model.lock:
            shape = face_model.landmarks(rgb, box)
            strangers.append(np.array(face_model.recogniser.compute_face_descriptor(rgb, shape, 0)))
    impostor = [distance(x, y) for x, y in itertools.combinations(people.values(), 2)]
    impostor += [distance(p, s) for p in people.values() for s in strangers]
    genuine_distances = [distance(g, reference) for g in genuine if g is not None]
    return {"genuine (same face, changed)": (len(genuine), genuine_distances, sum(g is None for g in genuine)),
            "impostor (different people)": (len(impostor), impostor, 0)}


def liveness_rates(face_model) -> dict[str, tuple[int, int]]:
    from backoffice.face import blink, detect, liveness, sequence
    from tests.face import faces

    def passes(frames, action) -> bool:
        try:
            sequence.live_face(face_model, [faces.jpeg(f) for f in frames], action)
            return True
        except sequence.FaceRefused:
            return False

    people = [faces.astronaut_at_the_glass(), faces.grace_hopper()]
    live, wrong, flat, blinked, turned_for_blink = [], [], [], [], []
    for seed, picture in enumerate(people * 5):
        landmarks = detect.one_face(face_model, picture).landmarks
        left = seed % 2 == 0
        frames = faces.live_turn(picture, landmarks, left=left, seed=seed)
        live.append(passes(frames, liveness.TURN_LEFT if left else liveness.TURN_RIGHT))
        wrong.append(passes(frames, liveness.TURN_RIGHT if left else liveness.TURN_LEFT))
        blinked.append(passes(faces.live_blink(picture, landmarks, seed=seed), blink.BLINK))
        turned_for_blink.append(passes(frames, blink.BLINK))
        for action in sequence.ACTIONS:
            flat.append(passes(faces.flat_print_moved(picture), action))
    return {"synthetic head turns the asked way": (len(live), sum(live)),
            "the same turns asked the other way": (len(wrong), sum(wrong)),
            "synthetic blinks asked a blink": (len(blinked), sum(blinked)),
            "head turns asked a blink": (len(turned_for_blink), sum(turned_for_blink)),
            "flat prints moved and tilted, asked each action": (len(flat), sum(flat))}
