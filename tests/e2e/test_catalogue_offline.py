"""The kiosk's copy of the catalogue against the real back office: the same answers as the
back office's own search, and still there when the back office is gone (Chengmai's towns
and villages for the address step too)."""
from __future__ import annotations

import time

import pytest

from demo.embedded_backoffice import free_port
from services.api import BackofficeClient, BackofficeRefused, BackofficeUnavailable
from services.catalogue_cache import CatalogueCache, CatalogueRefresher

QUERIES = ["", "spjy", "食品", "food", "xian", "zhu", "营业", "licence", "qy"]
FILTERS = [{}, {"audience": "company"}, {"audience": "person"}, {"kiosk": "true"}, {"type": "01"}]


def codes(items):
    return [i["code"] for i in items]


def test_the_copy_searches_as_the_back_office_does(backoffice, tmp_path):
    api = BackofficeClient(backoffice.url, timeout=10)
    cache = CatalogueCache(api, tmp_path / "catalogue.json")
    counts = cache.refresh()
    assert counts["items"] >= 50 and counts["windows"] == 7 and counts["bundles"] >= 4
    windows = [w["code"] for w in api.windows()]
    for q in QUERIES:
        for extra in FILTERS + [{"window": windows[0]}]:
            online = api.items(q=q, **extra)
            assert codes(cache.items(q=q, **extra)) == codes(online), (q, extra)
    assert codes(cache.items(q="spjy")) != []  # the comparison above is not between two empty lists


def test_served_from_the_file_when_the_back_office_is_gone(backoffice, tmp_path):
    path = tmp_path / "catalogue.json"
    CatalogueCache(BackofficeClient(backoffice.url, timeout=10), path).refresh()
    dead = BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    cache = CatalogueCache(dead, path)  # a restarted kiosk, offline from the start
    assert len(cache.windows()) == 7 and cache.bundles()
    (food,) = cache.items(q="spjy", window="")[:1]
    guide = cache.guide(food["code"])
    assert guide["materials"] and guide["name"] == food["name"]
    with pytest.raises(BackofficeUnavailable):
        cache.refresh()  # a failed refresh keeps the old copy
    assert cache.guide(food["code"]) == guide


def test_the_towns_travel_with_the_copy_and_an_older_back_office_keeps_it_refreshing(backoffice, tmp_path):
    path = tmp_path / "catalogue.json"
    api = BackofficeClient(backoffice.url, timeout=10)
    CatalogueCache(api, path).refresh()
    dead = CatalogueCache(BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1), path)
    towns = dead.held_towns()
    assert towns is not None and len(towns) == 12 and dead.towns() == towns
    jinjiang = next(t for t in towns if t["name"] == "金江镇")
    assert {"code": "469023100001", "name": "建国社区居委会"} in jinjiang["villages"]
    # A back office from before the address list: the catalogue still refreshes, the towns kept.
    def no_such_route():
        raise BackofficeRefused(404, "Not Found")

    older_api = BackofficeClient(backoffice.url, timeout=10)
    older_api.towns = no_such_route  # type: ignore[method-assign]
    older = CatalogueCache(older_api, path)
    older.refresh()
    assert older.held_towns() == towns
    never = CatalogueCache(BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1), tmp_path / "none.json")
    assert never.held_towns() is None
    with pytest.raises(BackofficeUnavailable):
        never.towns()


def test_without_a_copy_it_asks_the_back_office(backoffice, tmp_path):
    broken = tmp_path / "catalogue.json"
    broken.write_text("{not json")
    cache = CatalogueCache(BackofficeClient(backoffice.url, timeout=10), broken)
    assert cache.fetched_at is None
    assert codes(cache.items(q="spjy")) == codes(BackofficeClient(backoffice.url).items(q="spjy"))
    dead = CatalogueCache(BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1), tmp_path / "none.json")
    with pytest.raises(BackofficeUnavailable):
        dead.windows()


def test_a_newer_version_does_not_hurry_a_failing_refresh(tmp_path):
    """A heartbeat every few seconds naming a newer catalogue must not turn the retry
    period into a refresh per heartbeat while the back office cannot give the catalogue."""
    dead = CatalogueCache(BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1), tmp_path / "none.json")
    refresher = CatalogueRefresher(dead, refresh_s=3600, retry_s=3600).start()
    try:
        deadline = time.monotonic() + 15
        while not refresher.last_error and time.monotonic() < deadline:
            time.sleep(0.05)
        assert refresher.last_error == "BackofficeUnavailable"
        assert not refresher.catch_up(2)
    finally:
        refresher.stop()
