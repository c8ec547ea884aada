"""A catalogue load against the real back office (SQLite and PostgreSQL): what the new file
no longer has is retired (gone for kiosks, kept for the cases that name it), comes back
when a later file has it again, and every load is a version, audited; kiosks catch up
with the new version through their heartbeat, not at their next refresh period."""
from __future__ import annotations

import copy
import hashlib
import json
import time

import pytest

from backoffice.catalogue import DEFAULT_CATALOGUE
from services.api import BackofficeClient
from services.catalogue_cache import CatalogueCache, CatalogueRefresher
from services.heartbeat import HeartbeatWorker
from tests.api.command_line import backoffice_cli
from tests.api.conftest import TERMINAL
from tests.api.submissions import application, bundle_application

FOOD = "469023-XK-SCJG-0031"  # 食品经营许可: retired on its own
TALENT_WINDOW = "W7"  # retired with its items and its bundle


@pytest.fixture(scope="module")
def full() -> dict:
    return json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def without(full: dict, item_codes: set[str] = frozenset(), window: str = "") -> dict:
    """The catalogue file without these items, or without a window and everything in it."""
    data = copy.deepcopy(full)
    gone = set(item_codes) | {i["code"] for i in data["items"] if i["window"] == window}
    data["windows"] = [w for w in data["windows"] if w["code"] != window]
    data["items"] = [i for i in data["items"] if i["code"] not in gone]
    data["bundles"] = [b for b in data["bundles"] if b["window"] != window]
    for bundle in data["bundles"]:
        bundle["items"] = [c for c in bundle["items"] if c not in gone]
    return data


def load(server, tmp_path, data: dict) -> dict:
    """`kiosk-backoffice load-catalogue` as the county's administrator runs it on the server."""
    path = tmp_path / f"catalogue-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = backoffice_cli(server.database.parent, "load-catalogue", str(path),
                          env_extra={"BACKOFFICE_DATABASE_URL": server.database_url})
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    return loaded


@pytest.fixture
def restore(server, tmp_path, full):
    """Whatever a test retires, the next finds the whole catalogue again."""
    yield
    load(server, tmp_path, full)


def codes(rows) -> set[str]:
    return {r["code"] for r in rows}


def test_a_load_retires_what_the_file_no_longer_has_and_cases_keep_working(server, tmp_path, full, anonymous,
                                                                           staff, restore):
    clerk = staff("clerk01")
    before = anonymous.get("/v1/catalogue/version").json()
    food_guide = anonymous.get(f"/v1/catalogue/items/{FOOD}").json()  # as a kiosk's copy keeps it
    food_case = clerk.post("/v1/cases", application(food_guide))
    assert food_case.status_code == 201, food_case.text
    number = food_case.json()["case"]["number"]
    (talent_bundle,) = [b for b in anonymous.get("/v1/catalogue/bundles").json()["bundles"]
                        if b["window"] == TALENT_WINDOW]
    guides = [anonymous.get(f"/v1/catalogue/items/{i['code']}").json() for i in talent_bundle["items"]]
    bundle_case = clerk.post("/v1/cases", bundle_application(guides, talent_bundle["code"]))
    assert bundle_case.status_code == 201, bundle_case.text
    talent_items = {i["code"] for i in full["items"] if i["window"] == TALENT_WINDOW}
    talent_bundles = {b["code"] for b in full["bundles"] if b["window"] == TALENT_WINDOW}
    assert talent_items and talent_bundles

    loaded = load(server, tmp_path, without(full, {FOOD}, TALENT_WINDOW))

    assert loaded["version"] == before["number"] + 1
    assert (loaded["added"], loaded["changed"]) == (0, 0)
    assert loaded["retired"] == 1 + len(talent_items) + 1 + len(talent_bundles)  # items, the window, bundles
    version = anonymous.get("/v1/catalogue/version").json()
    assert {k: version[k] for k in ("number", "sha256", "added", "changed", "retired")} == {
        k: loaded[k if k != "number" else "version"] for k in ("number", "sha256", "added", "changed", "retired")}
    listed = codes(anonymous.get("/v1/catalogue/items").json()["items"])
    assert listed == {i["code"] for i in full["items"]} - {FOOD} - talent_items
    assert anonymous.get("/v1/catalogue/items", params={"q": "spjy"}).json()["count"] == 0
    gone = anonymous.get(f"/v1/catalogue/items/{FOOD}")
    assert gone.status_code == 404 and "no longer offered" in gone.json()["detail"]
    assert TALENT_WINDOW not in codes(anonymous.get("/v1/catalogue/windows").json()["windows"])
    assert not codes(anonymous.get("/v1/catalogue/bundles").json()["bundles"]) & talent_bundles

    case = clerk.get(f"/v1/cases/{number}")  # a case of a retired item: as it was
    assert case.status_code == 200, case.text
    assert case.json()["item_code"] == FOOD and case.json()["item_name_en"] == food_guide["name_en"]
    bundled = clerk.get(f"/v1/cases/{bundle_case.json()['case']['number']}").json()
    assert bundled["bundle_code"] == talent_bundle["code"] and bundled["item_name_en"]
    assert [p["item_code"] for p in bundled["parts"]] == [g["code"] for g in guides]
    assert all(p["item_name_en"] for p in bundled["parts"])
    for stale in (application(food_guide), bundle_application(guides, talent_bundle["code"])):
        refused = clerk.post("/v1/cases", stale)  # from a kiosk whose copy is older than the load
        assert refused.status_code == 404 and "no longer offered" in refused.json()["detail"]

    (audited,) = [e for e in audit_entries(staff("admin")) if e["action"] == "catalogue.load"
                  and e["subject"] == f"v{loaded['version']}"]
    assert audited["actor"] == "system:cli" and audited["detail"]["sha256"] == loaded["sha256"]
    assert audited["detail"]["retired"] == loaded["retired"]

    back = load(server, tmp_path, full)  # the whole file again: everything comes back
    assert back["version"] == loaded["version"] + 1
    assert (back["added"], back["changed"], back["retired"]) == (0, loaded["retired"], 0)
    assert anonymous.get(f"/v1/catalogue/items/{FOOD}").status_code == 200
    assert codes(anonymous.get("/v1/catalogue/items").json()["items"]) == {i["code"] for i in full["items"]}


def audit_entries(admin) -> list[dict]:
    entries: list[dict] = []
    while page := admin.get("/v1/audit", params={"after_id": entries[-1]["id"] if entries else 0,
                                                 "limit": 1000}).json()["entries"]:
        entries += page
    return entries


def test_a_load_changing_nothing_is_still_a_version(server, tmp_path, full, anonymous):
    before = anonymous.get("/v1/catalogue/version").json()["number"]
    again = load(server, tmp_path, full)
    assert again["version"] == before + 1 and (again["added"], again["changed"], again["retired"]) == (0, 0, 0)
    changed = copy.deepcopy(full)
    changed["items"][0]["promised_days"] = max(0, changed["items"][0]["promised_days"] - 1)
    changed["items"][1]["materials"][0]["copies"] += 1
    assert load(server, tmp_path, changed)["changed"] == 2
    assert load(server, tmp_path, full)["changed"] == 2


def test_a_kiosk_catches_up_with_a_new_catalogue_through_its_heartbeat(server, tmp_path, full, staff, restore):
    client = BackofficeClient(server.url, timeout=10, terminal_id=TERMINAL,
                              secret=server.terminal_secret_file.read_text())
    cache = CatalogueCache(client, tmp_path / "kiosk" / "catalogue.json")
    # Its own period is an hour: only the heartbeat's answer can make it refresh in this test.
    refresher = CatalogueRefresher(cache, refresh_s=3600, retry_s=3600).start()
    heartbeat = HeartbeatWorker(client, lambda: {"app_version": "test", "catalogue_version": cache.version},
                                interval_s=1, on_catalogue_version=refresher.catch_up)
    try:
        first = wait_for(lambda: cache.version)  # the refresh at start
        assert FOOD in codes(cache.items())
        loaded = load(server, tmp_path, without(full, {FOOD}))
        assert loaded["version"] > first
        heartbeat.start()
        assert wait_for(lambda: cache.version == loaded["version"] or None)
        assert FOOD not in codes(cache.items()) and cache.items(q="spjy") == []
        assert not refresher.catch_up(loaded["version"])  # up to date: nothing more to fetch
        reported = wait_for(lambda: fleet_entry(staff, TERMINAL)["reported"].get("catalogue_version")
                            == loaded["version"] or None)
        assert reported
    finally:
        heartbeat.stop()
        refresher.stop()


def fleet_entry(staff, terminal_id: str) -> dict:
    terminals = staff("supervisor01").get("/v1/terminals").json()["terminals"]
    return next(t for t in terminals if t["id"] == terminal_id)


def wait_for(condition, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("not within the time")
