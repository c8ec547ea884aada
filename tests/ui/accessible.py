"""The tour's accessibility check, for a screen a UI test reaches and the tour does not
(the offline pages, the maintenance Outbox tile): the screen in Chinese and English,
standard and elder mode; any violation fails the test with the checker's own words."""
from __future__ import annotations

from demo.tour import Tour
from proof.accessibility import AccessibilityChecker


def assert_accessible(app, ui, name: str) -> None:
    display = app.kiosk_config.profile.sections.get("display", {})
    checker = AccessibilityChecker(app, diagonal_in=float(display.get("diagonal_in", 21.5)))
    Tour(app, None, ui=ui, checker=checker).check_every_way(name)
    assert checker.report.violations == [], "\n".join(
        f"{v.language} {'elder' if v.elder else 'standard'}: {v.rule} {v.widget} {v.measured} (needs {v.required})"
        for v in checker.report.violations)
    assert len(checker.report.screens_checked) == 4
