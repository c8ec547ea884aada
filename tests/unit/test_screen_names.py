"""Routes are names, not strings typed again: every screen names itself with a Screen
member, every member has its screen, and no journey, screen or kv rule navigates by a
literal or a member that does not exist. Read from the source, so no Kivy is needed."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.ui.screen_names import Screen

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*(ROOT / "kiosk").rglob("*.py"), *(ROOT / "screens").glob("*.py")]


def trees():
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_every_screen_names_itself_with_a_member_and_every_member_has_a_screen():
    named = []
    for path, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "screen_name"
                                                    for t in node.targets):
                value = node.value
                if isinstance(value, ast.Constant) and value.value == "":
                    continue  # the base class
                assert isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) \
                    and value.value.id == "Screen", f"{path.name}: screen_name is not a Screen member"
                named.append(value.attr)
    assert sorted(named) == sorted(m.name for m in Screen), "one screen for each name, one name for each screen"


def test_no_route_is_a_literal_and_every_member_used_exists():
    for path, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Screen":
                assert node.attr in Screen.__members__, f"{path.name}:{node.lineno}: no Screen.{node.attr}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "navigate":
                for arg in node.args:
                    assert not isinstance(arg, ast.Constant), f"{path.name}:{node.lineno}: navigate({arg.value!r})"
            if isinstance(node, ast.keyword) and node.arg == "back_to":
                assert not isinstance(node.value, ast.Constant), f"{path.name}:{node.value.lineno}: back_to literal"


def test_kv_rules_leave_the_way_back_to_the_journeys():
    for path in (ROOT / "screens").glob("*.kv"):
        named = re.findall(r"navigate\(\"([a-z_]+)\"\)", path.read_text(encoding="utf-8"))
        assert not named, f"{path.name}: a kv rule navigates to {named}: use root.go_back() (the journey's BACK)"


def test_each_screen_has_at_most_one_way_back_and_it_leads_to_a_screen():
    from kiosk.journeys import discover

    owners: dict[Screen, str] = {}
    for journey in discover():
        for screen, target in journey.BACK.items():
            assert isinstance(screen, Screen) and isinstance(target, Screen), journey.name
            assert screen not in owners, f"{screen} has a way back in {owners[screen]} and {journey.name}"
            owners[screen] = journey.name
