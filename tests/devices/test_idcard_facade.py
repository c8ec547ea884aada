"""The identity-reader facade over the simulated backend: events cross the worker thread,
and a failing backend becomes a read-error event instead of a dead reader."""
import queue

from devices.health import DeviceState
from devices.idcard import CardInserted, CardReadError, CardRemoved, IdCardReader
from devices.idcard.sim import SimulatedIdCardBackend, load_demo_people
from tests.conftest import DEMO_SEED


def open_reader(backend):
    reader = IdCardReader(backend)
    events: queue.Queue = queue.Queue()
    reader.subscribe(events.put)
    reader.open()
    return reader, events


def test_insert_and_remove_reach_listeners_from_the_worker_thread():
    people = load_demo_people(DEMO_SEED)
    backend = SimulatedIdCardBackend(people)
    reader, events = open_reader(backend)
    try:
        assert reader.status().state is DeviceState.ONLINE
        backend.insert("wang")
        inserted = events.get(timeout=2)
        assert isinstance(inserted, CardInserted)
        assert inserted.identity.document_number == "469023195801041234"
        assert inserted.identity.masked_number == "4690**********1234"
        backend.remove()
        assert isinstance(events.get(timeout=2), CardRemoved)
    finally:
        reader.close()
    assert reader.status().state is DeviceState.OFFLINE


def test_identity_repr_never_shows_personal_data():
    wang = load_demo_people(DEMO_SEED)["wang"]
    text = repr(wang)
    assert "469023195801041234" not in text and "王建国" not in text
    assert "4690**********1234" in text


def test_a_failing_backend_becomes_a_read_error_and_the_reader_keeps_polling():
    class Flaky(SimulatedIdCardBackend):
        failures = 1

        def poll(self, timeout):
            if self.failures:
                self.failures -= 1
                raise OSError("torn frame")
            return super().poll(timeout)

    backend = Flaky(load_demo_people(DEMO_SEED))
    reader, events = open_reader(backend)
    try:
        assert isinstance(events.get(timeout=2), CardReadError)
        backend.insert("li")
        assert isinstance(events.get(timeout=2), CardInserted)
    finally:
        reader.close()


def test_inserting_a_second_card_removes_the_first():
    backend = SimulatedIdCardBackend(load_demo_people(DEMO_SEED))
    reader, events = open_reader(backend)
    try:
        backend.insert("wang")
        backend.insert("chen")
        kinds = [type(events.get(timeout=2)) for _ in range(3)]
        assert kinds == [CardInserted, CardRemoved, CardInserted]
    finally:
        reader.close()
