"""The demo people's photos on record at the real-person service's emulator: each demo
person's portrait as the simulated face camera films them (devices/face/portraits.py),
cut to an ID photo's head and shoulders, under their resident ID number. A passport
holder has no record there: their reference is the chip's DG2."""
from __future__ import annotations

import json
from pathlib import Path

ID_PHOTO_SIZE = (240, 285)  # width, height: a passport-sized photo at a record's resolution
JPEG_QUALITY = 80


def write_face_records(folder: Path, people_file: Path) -> list[str]:
    """Writes `<ID number>.jpg` for every demo person with a resident ID; their keys."""
    import cv2

    from devices.face.portraits import portrait
    from domain.ids import is_valid_resident_id

    people = json.loads(Path(people_file).read_text(encoding="utf-8"))["people"]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for person in people:
        number = str(person.get("document_number", ""))
        if not is_valid_resident_id(number):
            continue
        face = portrait(person["key"])
        x, y, w, h = face.face
        height, width = face.image.shape[:2]
        top, bottom = max(0, y - h * 3 // 4), min(height, y + h * 2)
        left, right = max(0, x - w * 2 // 3), min(width, x + w + w * 2 // 3)
        photo = cv2.resize(face.image[top:bottom, left:right], ID_PHOTO_SIZE, interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if ok:
            (folder / f"{number}.jpg").write_bytes(jpeg.tobytes())
            written.append(str(person["key"]))
    return written
