"""`kiosk-backoffice face match REFERENCE PROBE` as a technician runs it: the real model on
files, JSON out, the exit code saying the decision. The reference is a demo person's photo
on record (demo/face_records.py), the probes frames of the simulated face camera."""
from __future__ import annotations

import json
import subprocess
import sys

import cv2
import pytest

from demo.embedded_backoffice import DEMO_PEOPLE
from demo.face_records import write_face_records
from devices.face.filming import render
from devices.face.scene import Scene

WANG, LI = "469023195801041234", "469023198501010026"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("face-match")
    write_face_records(folder, DEMO_PEOPLE)
    cv2.imwrite(str(folder / "wang-at-the-glass.jpg"), render(Scene("person", "wang"), 0.3))
    cv2.imwrite(str(folder / "nobody.jpg"), render(Scene(), 0.3))
    (folder / "not-an-image.jpg").write_bytes(b"not a picture")
    return folder


def match(reference, probe, *extra):
    done = subprocess.run([sys.executable, "-m", "backoffice", "face", "match", str(reference), str(probe), *extra],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout)


def test_the_same_person_matches_and_another_does_not(files):
    code, same = match(files / f"{WANG}.jpg", files / "wang-at-the-glass.jpg")
    assert code == 0 and same["decision"] == "match" and same["score"] < same["threshold"] == 0.45
    assert same["model"].startswith("dlib-")
    code, other = match(files / f"{LI}.jpg", files / "wang-at-the-glass.jpg")
    assert code == 1 and other["decision"] == "no_match" and other["score"] > 0.45


def test_a_stricter_threshold_can_be_tried(files):
    code, strict = match(files / f"{WANG}.jpg", files / "wang-at-the-glass.jpg", "--threshold", "0.01")
    assert code == 1 and strict["decision"] == "no_match" and strict["threshold"] == 0.01


@pytest.mark.parametrize("probe, reason", [("nobody.jpg", "0 faces"), ("not-an-image.jpg", ""),
                                           ("missing.jpg", "No such file")])
def test_a_probe_without_one_face_is_unusable(files, probe, reason):
    code, answer = match(files / f"{WANG}.jpg", files / probe)
    assert code == 3 and answer["decision"] == "unusable" and reason in answer["reason"]
