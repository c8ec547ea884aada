"""The kiosk's in-service / out-of-service state: persisted, atomic, audited."""
from __future__ import annotations

import json
import stat

import pytest

from kiosk.maintenance import storage
from kiosk.maintenance.service_state import ServiceState, ServiceStateStore

WHERE_ELSE = {"zh_CN": "请前往县政务服务中心一楼综合窗口办理",
              "en": "Please go to the county service centre, ground floor."}


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path, clock) -> ServiceStateStore:
    return ServiceStateStore(tmp_path, clock=clock)


def take_out(store: ServiceStateStore) -> ServiceState:
    return store.take_out_of_service("receipt printer cutter broken", WHERE_ELSE, by="tech01")


def test_a_new_kiosk_is_in_service(store):
    assert store.current() == ServiceState()
    assert store.current().in_service


def test_out_of_service_persists_across_objects_with_who_and_when(store, tmp_path, clock):
    take_out(store)
    state = ServiceStateStore(tmp_path, clock=clock).current()
    assert not state.in_service
    assert state.reason == "receipt printer cutter broken"
    assert (state.changed_by, state.changed_at) == ("tech01", clock.now)
    assert state.where_else_for("en") == WHERE_ELSE["en"]
    assert state.where_else_for("fr") == WHERE_ELSE["zh_CN"]  # no text in that language: Chinese
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_back_in_service_persists_and_clears_the_notice(store, tmp_path, clock):
    take_out(store)
    clock.now += 3600
    store.return_to_service(by="tech02")
    state = ServiceStateStore(tmp_path, clock=clock).current()
    assert state.in_service and state.where_else == {} and state.reason == ""
    assert (state.changed_by, state.changed_at) == ("tech02", clock.now)


def test_each_change_is_a_line_in_the_audit_file(store):
    take_out(store)
    store.return_to_service(by="tech02")
    lines = [json.loads(line) for line in store.audit.path.read_text(encoding="utf-8").splitlines()]
    assert [(line["event"], line["in_service"], line["by"]) for line in lines] == [
        ("service_state", False, "tech01"), ("service_state", True, "tech02")]
    assert lines[0]["reason"] == "receipt printer cutter broken"


def test_citizens_must_be_told_where_else_to_go(store):
    with pytest.raises(ValueError):
        store.take_out_of_service("scanner broken", {"zh_CN": "  "}, by="tech01")
    with pytest.raises(ValueError):
        store.take_out_of_service("", WHERE_ELSE, by="tech01")
    with pytest.raises(ValueError):
        store.take_out_of_service("scanner broken", WHERE_ELSE, by="")
    assert store.current().in_service
    assert not store.audit.path.exists()


def test_a_crash_before_the_rename_keeps_the_previous_state(store, tmp_path, clock, monkeypatch):
    take_out(store)

    def power_cut(src, dst):
        raise OSError("power cut before the rename")

    monkeypatch.setattr(storage.os, "replace", power_cut)
    with pytest.raises(OSError):
        store.return_to_service(by="tech02")
    monkeypatch.undo()
    assert not ServiceStateStore(tmp_path, clock=clock).current().in_service


def test_a_crash_in_the_middle_of_writing_keeps_the_previous_state(store, tmp_path, clock, monkeypatch):
    take_out(store)
    real_write = storage.os.write

    def half_then_crash(fd, data):
        real_write(fd, data[: len(data) // 2])
        raise OSError("power cut while writing")

    monkeypatch.setattr(storage.os, "write", half_then_crash)
    with pytest.raises(OSError):
        store.return_to_service(by="tech02")
    monkeypatch.undo()
    fresh = ServiceStateStore(tmp_path, clock=clock)
    assert not fresh.current().in_service
    fresh.return_to_service(by="tech02")  # the half-written temp file is simply replaced
    assert ServiceStateStore(tmp_path, clock=clock).current().in_service


def test_a_hand_damaged_file_means_in_service(store):
    store.path.write_text("{broken", encoding="utf-8")
    assert store.current().in_service
