"""Service guides (办事指南): the seven windows, the items of a window (person / company),
search by pinyin initials or English on an on-screen keyboard, one item's guide told once
(一次性告知), "一件事" bundles; print a guide on the receipt printer or on A4."""
from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from domain.county import CST, today_cst
from domain.i18n import N_
from domain.workdays import CalendarUnknown
from kiosk.journeys import MSG_PRINTER, Journey
from kiosk.ui.screen_names import Screen
from services.guide_slips import guide_for_pdf, guide_slip

log = logging.getLogger(__name__)

MSG_LOADING = N_("Loading the service guides…")
MSG_PRINTING = N_("Printing…")


@dataclass
class BundleGuides:
    """A "一件事" bundle on show, with the guides of its services."""
    bundle: dict
    guides: list[dict]


@dataclass
class CatalogueState:
    windows: list[dict] = field(default_factory=list)
    bundles: list[dict] = field(default_factory=list)
    window: str = ""  # the window whose items are listed ("" when searching)
    audience: str = ""  # "" (everyone), "person" or "company"
    query: str = ""  # the search the items answer
    draft_query: str = ""  # what is typed on the search page, kept across a language switch
    items: list[dict] | None = None  # the last list of items shown
    guide: dict | None = None  # one item's guide on show
    bundle: BundleGuides | None = None  # or a bundle's


class CatalogueJourney(Journey):
    name = "catalogue"
    State = CatalogueState
    BACK = {Screen.CATALOGUE_BUNDLES: Screen.CATALOGUE, Screen.CATALOGUE_SEARCH: Screen.CATALOGUE}
    ENTRIES = (Screen.CATALOGUE,)
    FLOW = {
        Screen.CATALOGUE: (Screen.CATALOGUE, Screen.CATALOGUE_SEARCH, Screen.CATALOGUE_ITEMS, Screen.CATALOGUE_BUNDLES,
                           Screen.GUIDE),
        Screen.CATALOGUE_SEARCH: (Screen.CATALOGUE_ITEMS,),
        Screen.CATALOGUE_ITEMS: (Screen.CATALOGUE_ITEMS, Screen.CATALOGUE_SEARCH, Screen.CATALOGUE, Screen.GUIDE),
        Screen.CATALOGUE_BUNDLES: (Screen.GUIDE,),
        Screen.GUIDE: (Screen.CATALOGUE, Screen.CATALOGUE_ITEMS, Screen.CATALOGUE_BUNDLES),
    }
    attract_action = (5, N_("Service guides"), Screen.CATALOGUE)

    def __init__(self, controller):
        super().__init__(controller)
        self.last_slip = None
        self.last_pdf: Path | None = None

    # --- state (in the session: wiped with it) ----------------------------------------
    @property
    def state(self) -> CatalogueState:
        return self.session.state(CatalogueState)

    @property
    def english(self) -> bool:
        return self.kiosk.translator.language == "en"

    def loc(self, obj: dict | None, key: str = "name") -> str:
        """A catalogue text in the current language (the catalogue is Chinese with *_en)."""
        if not obj:
            return ""
        if self.english and obj.get(f"{key}_en"):
            return str(obj[f"{key}_en"])
        return str(obj.get(key) or "")

    def promised(self, days: int, start: dt.date | None = None) -> dt.date | None:
        """The date `days` working days after today, by the county's calendar as the
        kiosk last copied it; None when that year is not known yet (never a guessed date)."""
        try:
            return self.kiosk.catalogue.work_calendar().add_working_days(start or today_cst(), int(days))
        except CalendarUnknown:
            return None

    # --- browsing ---------------------------------------------------------------------
    def start(self) -> None:
        self.session.begin()
        if self.state.windows:
            self.go(Screen.CATALOGUE)
            return
        api = self.kiosk.catalogue  # the kiosk's copy, served offline too
        self.kiosk.in_background(lambda: (api.windows(), api.bundles()), self._windows_loaded,
                                 back_to=Screen.ATTRACT, busy=MSG_LOADING)

    def _windows_loaded(self, loaded) -> None:
        windows, bundles = loaded
        self.state.windows, self.state.bundles = windows, bundles
        self.go(Screen.CATALOGUE)

    def window(self, code: str) -> dict | None:
        return next((w for w in self.state.windows if w["code"] == code), None)

    def open_window(self, code: str) -> None:
        self.state.window, self.state.query = code, ""
        self._load_items()

    def set_audience(self, audience: str) -> None:
        """"" (everyone), "person" or "company"."""
        self.state.audience = audience
        self._load_items()

    def open_search(self) -> None:
        self.go(Screen.CATALOGUE_SEARCH)

    def type_query(self, text: str) -> None:
        """The search page's keyboard: kept, so a language switch keeps what was typed."""
        self.state.draft_query = text

    def search(self, query: str) -> None:
        query = query.strip().lower()
        if not query:
            return
        state = self.state
        state.window, state.query, state.draft_query = "", query, query
        self._load_items()

    def _load_items(self) -> None:
        state, api = self.state, self.kiosk.catalogue
        filters = {"window": state.window, "q": state.query, "audience": state.audience}
        back = Screen.CATALOGUE_SEARCH if filters["q"] else Screen.CATALOGUE
        self.kiosk.in_background(lambda: api.items(**filters), self._items_loaded, back_to=back,
                                 busy=MSG_LOADING)

    def _items_loaded(self, items: list[dict]) -> None:
        self.state.items = items
        self.go(Screen.CATALOGUE_ITEMS)

    def open_bundles(self) -> None:
        self.go(Screen.CATALOGUE_BUNDLES)

    def open_guide(self, code: str) -> None:
        api = self.kiosk.catalogue  # the kiosk's copy, served offline too
        self.kiosk.in_background(lambda: api.guide(code), self._guide_loaded,
                                 back_to=self.ui.current_screen(), busy=MSG_LOADING)

    def _guide_loaded(self, guide: dict) -> None:
        self.state.guide, self.state.bundle = guide, None
        self.go(Screen.GUIDE)

    def open_bundle(self, code: str) -> None:
        bundle = next((b for b in self.state.bundles if b["code"] == code), None)
        if bundle is None:
            return
        api = self.kiosk.catalogue  # the kiosk's copy, served offline too
        codes = [i["code"] for i in bundle["items"]]
        self.kiosk.in_background(lambda: [api.guide(c) for c in codes],
                                 lambda guides: self._bundle_loaded(bundle, guides),
                                 back_to=Screen.CATALOGUE_BUNDLES, busy=MSG_LOADING)

    def _bundle_loaded(self, bundle: dict, guides: list[dict]) -> None:
        self.state.guide, self.state.bundle = None, BundleGuides(bundle, guides)
        self.go(Screen.GUIDE)

    def back_from_items(self) -> None:
        self.go(Screen.CATALOGUE_SEARCH if self.state.query else Screen.CATALOGUE)

    def back_from_guide(self) -> None:
        if self.state.bundle:
            self.go(Screen.CATALOGUE_BUNDLES)
        elif self.state.items is not None:
            self.go(Screen.CATALOGUE_ITEMS)
        else:
            self.go(Screen.CATALOGUE)

    # --- what the guide says ----------------------------------------------------------
    def can_apply_here(self) -> bool:
        """At the kiosk a person applies for themselves with their own document."""
        guides = self.current_guides()
        if not guides:
            return False
        if self.state.bundle:
            return all(g.get("kiosk") and "person" in (g.get("audience") or ["person"]) for g in guides)
        guide = guides[0]
        return bool(guide.get("kiosk")) and "person" in (guide.get("audience") or ["person"])

    def current_guides(self) -> list[dict]:
        if self.state.bundle:
            return list(self.state.bundle.guides)
        return [self.state.guide] if self.state.guide else []

    # --- printing ---------------------------------------------------------------------
    def print_guide_slip(self) -> None:
        guide = self.state.guide
        if guide is None:
            return
        kiosk = self.kiosk
        now = dt.datetime.now(CST)
        slip = guide_slip(guide, self.promised(guide.get("promised_days", 0)), kiosk.terminal_id, now,
                          self._, self.english)
        self.print_slip(slip, back_to=Screen.GUIDE, busy=MSG_PRINTING,
                        then=lambda _preview: self._printed(True, slip=slip))

    def print_guide_a4(self) -> None:
        guide = self.state.guide
        printer = getattr(self.kiosk.devices, "document_printer", None)
        if guide is None or printer is None:
            self._printed(False)
            return
        kiosk, _ = self.kiosk, self._
        item = guide_for_pdf(guide, _, self.english)

        def work():
            from services.documents.guide import item_guide_pdf  # reportlab: when first printed

            with tempfile.TemporaryDirectory(prefix="kiosk-guide-") as tmp:
                pdf = item_guide_pdf(item, Path(tmp) / "guide.pdf", kiosk.terminal_id, dt.datetime.now(CST), _)
                return printer.print_pdf(pdf, title="guide")

        kiosk.in_background(work, lambda result: self._printed(result.ok, pdf=getattr(result, "output", None)),
                            back_to=Screen.GUIDE, busy=MSG_PRINTING)

    def _printed(self, ok: bool, slip=None, pdf=None) -> None:
        if not ok:
            self.ui.show_message(N_("Printer not ready"), MSG_PRINTER, back_to=Screen.GUIDE)
            return
        self.last_slip, self.last_pdf = slip, pdf
        self.ui.show_toast(self._(N_("Please take your printed guide")))
        self.kiosk.say(N_("Please take your printed guide"))

    def reset(self) -> None:
        self.last_slip = None
        self.last_pdf = None
