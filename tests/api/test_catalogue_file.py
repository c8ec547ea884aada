"""The catalogue data file is checked before anything is loaded: every problem at once,
each with where it is, in plain words; `load-catalogue` on a bad file changes nothing."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from backoffice import locks
from backoffice.catalogue import DEFAULT_CATALOGUE
from backoffice.catalogue import LOAD_LOCK as CATALOGUE_LOAD_LOCK
from backoffice.catalogue_check import catalogue_problems
from backoffice.catalogue_schema import catalogue_json_schema
from backoffice.models import Item
from tests.api.command_line import backoffice_cli

SCHEMA_FILE = DEFAULT_CATALOGUE.with_name("catalogue.schema.json")


@pytest.fixture(scope="module")
def seed_data() -> dict:
    return json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture
def data(seed_data) -> dict:
    return copy.deepcopy(seed_data)


def test_the_seed_file_has_no_problems(seed_data):
    assert catalogue_problems(seed_data) == []


def test_every_shape_problem_at_once_with_its_path(data):
    data["items"][12]["materials"][2]["necessity"] = "maybe"
    data["items"][0]["legal_days"] = "20"
    data["items"][1]["kiosk"] = 1
    data["items"][2]["colour"] = "blue"
    del data["items"][3]["name"]
    data["windows"][0]["name"] = ""
    assert catalogue_problems(data) == [
        "windows[0].name: must not be empty",
        "items[0].legal_days: must be a whole number",
        "items[1].kiosk: must be true or false",
        "items[2].colour: is not a field the catalogue knows (misspelt?)",
        "items[3].name: is missing",
        "items[12].materials[2].necessity: must be one of required, deferrable, optional",
    ]


def test_what_a_schema_cannot_say_is_checked_too(data):
    data["items"][5]["window"] = "W9"
    data["items"][5]["department"] = "NOPE"
    data["bundles"][0]["items"].append("469023-XK-NONE-0001")
    materials = data["items"][6]["materials"]
    materials[1]["code"] = materials[0]["code"]
    e_licence = next(n for n, m in enumerate(data["items"][0]["materials"]) if m["source"] == "e_licence")
    data["items"][0]["materials"][e_licence].pop("licence_type_code")
    data["items"].append(copy.deepcopy(data["items"][7]))
    problems = catalogue_problems(data)
    assert f"items: code {data['items'][7]['code']} appears 2 times" in problems
    assert "items[5].window: no window W9 in windows" in problems
    assert "items[5].department: no department NOPE in departments" in problems
    assert (f"items[6].materials: code {materials[0]['code']} appears 2 times in {data['items'][6]['code']}"
            in problems)
    assert (f"items[0].materials[{e_licence}].licence_type_code: an e-licence material must name its licence type"
            in problems)
    assert f"bundles[0].items[{len(data['bundles'][0]['items']) - 1}]: no item 469023-XK-NONE-0001 in items" \
        in problems
    assert len(problems) == 6


def test_shape_and_cross_check_problems_together(data):
    data["items"][0]["window"] = 7
    data["items"][1]["window"] = "W9"
    data["bundles"] = "none"
    assert catalogue_problems(data) == ["items[0].window: must be text", "bundles: must be a list",
                                        "items[1].window: no window W9 in windows"]


def test_not_an_object():
    assert catalogue_problems([]) == ["the file must hold one JSON object (windows, departments, items, bundles)"]


def test_the_json_schema_file_is_the_models_and_takes_the_seed(seed_data):
    schema = catalogue_json_schema()
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == schema, \
        "regenerate: python -m backoffice.catalogue_schema > assets/seed/catalogue.schema.json"
    assert set(schema["required"]) == {"windows", "departments", "items"}
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(seed_data)) == []
    broken = copy.deepcopy(seed_data)
    broken["items"][0]["materials"][0]["necessity"] = "maybe"
    assert [list(e.absolute_path) for e in validator.iter_errors(broken)] == [["items", 0, "materials", 0,
                                                                                "necessity"]]


def test_load_catalogue_refuses_a_bad_file_and_changes_nothing(tmp_path, data):
    assert backoffice_cli(tmp_path, "migrate").returncode == 0
    loaded = backoffice_cli(tmp_path, "load-catalogue", str(DEFAULT_CATALOGUE))
    assert loaded.returncode == 0, loaded.stderr
    data["items"] = data["items"][:10]  # loaded, this would retire most of the catalogue
    data["items"][3]["materials"][0]["necessity"] = "perhaps"
    data["bundles"][0]["window"] = "W0"
    bad = tmp_path / "catalogue.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    for extra in ((), ("--check",)):
        refused = backoffice_cli(tmp_path, "load-catalogue", str(bad), *extra)
        assert refused.returncode == 1
        assert "Traceback" not in refused.stderr
        assert "not loaded, nothing changed (" in refused.stderr
        assert "items[3].materials[0].necessity: must be one of required, deferrable, optional" in refused.stderr
        assert "bundles[0].window: no window W0 in windows" in refused.stderr
        assert "no item" in refused.stderr  # the bundle's items that are no longer in the file
    not_json = tmp_path / "broken.json"
    not_json.write_text('{"windows": [', encoding="utf-8")
    refused = backoffice_cli(tmp_path, "load-catalogue", str(not_json))
    assert refused.returncode == 1 and "not JSON: line 1 column 14" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = backoffice_cli(tmp_path, "load-catalogue", str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr

    engine = create_engine(f"sqlite:///{tmp_path / 'backoffice.db'}")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Item)) == len(json.loads(
            DEFAULT_CATALOGUE.read_text(encoding="utf-8"))["items"])
    engine.dispose()
    checked = backoffice_cli(tmp_path, "load-catalogue", "--check", str(DEFAULT_CATALOGUE))
    assert checked.returncode == 0 and "can be loaded" in checked.stdout


def test_one_load_at_a_time(tmp_path):
    assert backoffice_cli(tmp_path, "migrate").returncode == 0
    engine = create_engine(f"sqlite:///{tmp_path / 'backoffice.db'}")
    with Session(engine) as session:
        assert locks.try_acquire(session, CATALOGUE_LOAD_LOCK, "another-server:1")
        refused = backoffice_cli(tmp_path, "load-catalogue", str(DEFAULT_CATALOGUE))
        assert refused.returncode == 1 and "another catalogue load is running" in refused.stderr
        locks.release(session, CATALOGUE_LOAD_LOCK, "another-server:1")
    loaded = backoffice_cli(tmp_path, "load-catalogue", str(DEFAULT_CATALOGUE))
    assert loaded.returncode == 0 and json.loads(loaded.stdout)["version"] == 1
    with Session(engine) as session:  # released: a second load needs no waiting
        assert locks.try_acquire(session, CATALOGUE_LOAD_LOCK, "another-server:1")
    engine.dispose()
