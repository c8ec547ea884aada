"""`kiosk-backoffice face match REFERENCE PROBE`: the back office's face model on two photo
files, for technicians and the county's own threshold checks. The model lives here, not
at the kiosk: kiosks only film (`kiosk-diag face capture` takes a probe there).

Prints one JSON object: the distance (lower is closer), the threshold, the decision, the
model's version, and the faces found in each file. Exit codes: 0 the same person, 1 not,
3 a file without exactly one face (or not an image), 2 bad arguments (argparse). Nothing
is kept and nothing is audited: the files are the technician's own."""
from __future__ import annotations

import json
from argparse import Namespace
from pathlib import Path

EXIT_MATCH, EXIT_NO_MATCH, EXIT_UNUSABLE = 0, 1, 3


def add_parser(sub) -> None:
    face = sub.add_parser("face", help="the face model: compare two photo files (kiosk-diag face capture takes one)")
    verbs = face.add_subparsers(dest="verb", required=True)
    match = verbs.add_parser("match", help="whether REFERENCE and PROBE show one person, as JSON")
    match.add_argument("reference", type=Path, help="the trusted photo (an ID photo, a DG2 face as JPEG or PNG)")
    match.add_argument("probe", type=Path, help="a frame from the kiosk's camera")
    match.add_argument("--threshold", type=float, help="the distance to match at (default: the back office's "
                                                       "BACKOFFICE_FACE_MATCH_THRESHOLD)")


def run_face(args: Namespace, default_threshold: float) -> int:
    from .face import compare, detect, images, sequence
    from .face.embed import embedding
    from .face.model import model as face_model

    model = face_model()
    threshold = default_threshold if args.threshold is None else args.threshold
    answer: dict = {"reference": str(args.reference), "probe": str(args.probe), "model": model.version,
                    "threshold": threshold}
    try:
        reference = sequence.reference_embedding(model, args.reference.read_bytes())
        probe_rgb = images.decode(args.probe.read_bytes(), images.PHOTO_FORMATS)
        found = detect.faces(model, probe_rgb, upsample=1)
        answer["probe_faces"] = len(found)
        if len(found) != 1:
            raise detect.NoFace(f"{len(found)} faces in the probe: exactly one is compared")
        probe = embedding(model, probe_rgb, found[0])
    except (OSError, images.ImageRefused, detect.NoFace, detect.ManyFaces) as unusable:
        print(json.dumps({**answer, "decision": "unusable", "reason": str(unusable)}, ensure_ascii=False))
        return EXIT_UNUSABLE
    compared = compare.compare(probe, reference, threshold)
    answer.update(score=compared.distance, decision="match" if compared.match else "no_match")
    print(json.dumps(answer, ensure_ascii=False))
    return EXIT_MATCH if compared.match else EXIT_NO_MATCH
