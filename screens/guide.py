"""One item's guide, told once (一次性告知): time limit in working days and as a date,
fees, department, visits, conditions and every material with its badges; print it; apply
here, or where to go when the kiosk cannot take it. A "一件事" bundle lists its services."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.uix.boxlayout import BoxLayout

from domain.i18n import N_
from kiosk.journeys.catalogue import BundleGuides
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen
from services.guide_slips import (
    BADGE_DEFERRABLE,
    BADGE_E_LICENCE,
    BADGE_SHARED,
    fees_text,
    material_badges,
    promised_text,
)

from .catalogue_page import JourneyPage

TONES = {BADGE_E_LICENCE: "ok", BADGE_SHARED: "ok", BADGE_DEFERRABLE: "warn"}


class GuideScreen(JourneyPage):
    screen_name = Screen.GUIDE
    journey_name = "catalogue"
    spoken_prompt = N_("This is everything you need for this service, told once.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None or not (state.guide or state.bundle):
            return
        flow = self.flow
        if state.bundle:
            self._bundle(state.bundle)
        elif state.guide:
            self._item(state.guide)
        if flow.can_apply_here():
            self.button(self._(N_("Apply now")), lambda: self.journey("apply").begin(), key="apply")
        if not state.bundle:
            row = BoxLayout(spacing=12, size_hint_y=None, height=self.style.target_dp)
            self.button(self._(N_("Print this guide (slip)")), flow.print_guide_slip, key="print_slip",
                        secondary=True, parent=row)
            self.button(self._(N_("Print this guide (A4 paper)")), flow.print_guide_a4, key="print_a4",
                        secondary=True, parent=row)
            self.ids.actions.add_widget(row)

    def _facts(self, guide: dict, card) -> None:
        flow, _ = self.flow, self._
        days = int(guide.get("promised_days", 0))
        lines = [
            _(N_("Time limit: {text}")).format(text=promised_text(days, flow.promised(days), _)),
            _(N_("Legal time limit: {days} working days")).format(days=guide.get("legal_days", 0)),
            _(N_("Fees: {fees}")).format(fees=fees_text(guide, _, flow.english)),
            _(N_("Department: {department}")).format(department=flow.loc(guide.get("department"))),
            _(N_("Visits to the service centre: {visits}")).format(visits=guide.get("visits", 1)),
        ]
        self.text("\n".join(lines), parent=card)

    def _item(self, guide: dict) -> None:
        flow, _ = self.flow, self._
        self.ids.heading.text = flow.loc(guide)
        self.ids.hint.text = _(N_("Everything you need, told once."))
        if not guide.get("kiosk"):
            where = self.card()
            self.text(_(N_("This service cannot be done at a kiosk.")), parent=where, bold=True,
                      color=theme.WARNING, size="heading")
            self.text(flow.loc(guide, "where_instead"), parent=where)
        elif not flow.can_apply_here():
            note = self.card()
            self.text(_(N_("At this kiosk you apply for yourself with your ID card. "
                           "Companies apply online or at the service centre.")), parent=note, color=theme.WARNING)
        facts = self.card()
        self._facts(guide, facts)
        conditions = guide.get("conditions_en" if flow.english and guide.get("conditions_en") else "conditions")
        if conditions:
            card = self.card()
            self.text(_(N_("Conditions")), parent=card, bold=True, size="heading")
            self.text("\n".join(f"{i}. {c}" for i, c in enumerate(conditions, 1)), parent=card)
        self._materials(guide.get("materials") or [])

    def _materials(self, materials: list[dict], title: str = "") -> None:
        _ = self._
        self.text(title or _(N_("Materials ({count})")).format(count=len(materials)), size="heading", bold=True,
                  color=theme.PRIMARY)
        for i, material in enumerate(materials, 1):
            card = self.card()
            self.text(f"{i}. {self.flow.loc(material)}", parent=card)
            badges = Factory.BadgeRow()
            for badge in material_badges(material):
                self.badge(badge, badges, TONES.get(badge, "info"))
            card.add_widget(badges)

    def _bundle(self, loaded: BundleGuides) -> None:
        flow, _ = self.flow, self._
        bundle, guides = loaded.bundle, loaded.guides
        self.ids.heading.text = flow.loc(bundle)
        self.ids.hint.text = _(N_("One application for all of these services."))
        if not flow.can_apply_here():
            note = self.card()
            self.text(_(N_("Together these services cannot be submitted at a kiosk.")), parent=note, bold=True,
                      color=theme.WARNING)
            for guide in guides:
                if not guide.get("kiosk") and flow.loc(guide, "where_instead"):
                    self.text(f"{flow.loc(guide)}：{flow.loc(guide, 'where_instead')}", parent=note)
        card = self.card()
        self.text(flow.loc(bundle, "description"), parent=card)
        days = int(bundle.get("promised_days", 0))
        self.text(_(N_("Time limit: {text}")).format(text=promised_text(days, flow.promised(days), _)),
                  parent=card)
        for guide in guides:
            self._materials(guide.get("materials") or [], title=flow.loc(guide))

    def go_back(self) -> None:
        self.flow.back_from_guide()
