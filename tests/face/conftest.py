"""The face model, loaded once for the face tests (as a server process loads it)."""
from __future__ import annotations

import pytest

from backoffice.face.model import model


@pytest.fixture(scope="session")
def face_model():
    return model()
