"""requirements/*.lock in step with pyproject.toml: every dependency a role's extra names is
pinned there, at a version its specifier allows, with a hash (so nobody adds a dependency and
forgets `make lock`)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
LOCKS = REPO / "requirements"
# The target's markers (Debian 12, CPython 3.11, x86_64), whatever runs the test.
TARGET = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
          "python_version": "3.11", "python_full_version": "3.11.2", "implementation_name": "cpython",
          "os_name": "posix"}
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:([0-9a-f]{64})$", re.MULTILINE)


def pins(lock: str) -> dict[str, Version]:
    text = (LOCKS / f"{lock}.lock").read_text()
    found = {canonicalize_name(name): Version(version) for name, version, _ in PIN.findall(text)}
    requirements = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(requirements) == len(found), "every pin has exactly one sha256 hash"
    return found


def needed(role: str) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"][role]]
    return [r for r in wanted if r.marker is None or r.marker.evaluate(TARGET)]


@pytest.mark.parametrize("role", ["kiosk", "backoffice"])
def test_every_dependency_of_the_role_is_locked(role):
    locked = pins(role)
    for requirement in needed(role):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements/{role}.lock: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), \
            f"requirements/{role}.lock has {name}=={locked[name]}, pyproject.toml wants {requirement}: run make lock"
        if "binary" in requirement.extras:  # psycopg[binary]: its compiled half is a package of its own
            assert f"{name}-binary" in locked, requirement


def test_dev_tools_stay_off_the_appliances():
    for role in ("kiosk", "backoffice"):
        assert not {"pytest", "ruff", "mypy", "schemathesis", "atheris"} & set(pins(role)), role


def test_the_build_lock_has_the_tools_that_build_the_project():
    build = pins("build")
    assert {"pip", "setuptools", "wheel"} <= set(build)
    build_system = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]
    for requirement in map(Requirement, build_system["requires"]):
        assert requirement.specifier.contains(build[canonicalize_name(requirement.name)]), requirement


@pytest.mark.parametrize("role", ["kiosk", "backoffice"])
def test_a_build_tool_the_role_also_needs_is_pinned_alike(role):
    build, locked = pins("build"), pins(role)
    assert {name: locked[name] for name in build.keys() & locked.keys()} == \
        {name: build[name] for name in build.keys() & locked.keys()}
