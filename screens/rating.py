"""Rate the service: identify, pick a case, one of five faces, reasons for a low rating,
an optional preset comment, thanks. One decision per screen."""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from domain.i18n import N_, in_language
from kiosk.journeys.rating import COMMENTS, LEVELS, REASONS, level_word
from kiosk.ui.screen_names import Screen

from .base import KioskScreen
from .cases import CaseListScreen, CaseRow


class FaceButton(ButtonBehavior, BoxLayout):
    """One rating level: a drawn face and its word, one large target."""

    level = NumericProperty(3)
    word = StringProperty("")
    pressed = BooleanProperty(False)

    def on_state(self, _instance, value):
        self.pressed = value == "down"


class ChoiceChip(ButtonBehavior, BoxLayout):
    """A toggle with a drawn tick box (chosen is shown by the tick, not by colour alone)."""

    message = StringProperty("")  # the English message id
    text = StringProperty("")
    chosen = BooleanProperty(False)


class RatingStartScreen(KioskScreen):
    screen_name = Screen.RATING_START
    spoken_prompt = N_("Place your ID card on the reader to choose the case you want to rate.")


class RatingCasesScreen(CaseListScreen):
    screen_name = Screen.RATING_CASES
    spoken_prompt = N_("Which case would you like to rate? Tap it.")

    def fill(self, rows) -> None:
        cases = self.journey("rating").rateable_cases()
        self.ids.heading.text = (self._("Which case would you like to rate?") if cases
                                 else self._("You have no cases to rate yet."))
        for case in cases:
            rows.add_widget(CaseRow.of(self, case, self._(case.status.label),
                                       lambda case=case: self.journey("rating").rate_case(case)))

    def reset(self) -> None:
        self.ids.rows.clear_widgets()
        self.ids.heading.text = ""


class _DraftScreen(KioskScreen):
    def _case_line(self) -> str:
        draft = self.journey("rating").draft
        if not draft:
            return ""
        item = in_language(draft.item_name, draft.item_name_en, self.controller.translator.language)
        return self._("Case {number}: {item}").format(number=draft.number, item=item)


class RatingLevelsScreen(_DraftScreen):
    screen_name = Screen.RATING_LEVELS
    spoken_prompt = N_("How satisfied are you? Tap one of the five faces, "
                       "from very satisfied at the top to very dissatisfied at the bottom.")

    def refresh(self) -> None:
        faces = self.ids.faces
        faces.clear_widgets()
        draft = self.journey("rating").draft
        if draft is None:
            self.reset()
            return
        self.ids.case_line.text = self._case_line()
        for level, word in LEVELS:
            button = FaceButton(level=level, word=self._(word))
            button.bind(on_release=lambda b: self.journey("rating").choose_level(b.level))
            faces.add_widget(button)

    def reset(self) -> None:
        self.ids.faces.clear_widgets()
        self.ids.case_line.text = ""


class _ChipsScreen(_DraftScreen):
    choices: tuple[str, ...] = ()

    def chosen(self) -> list[str]:
        """The choices the draft holds for this page."""
        return []

    def refresh(self) -> None:
        grid = self.ids.chips
        grid.clear_widgets()
        draft = self.journey("rating").draft
        if draft is None:
            self.reset()
            return
        self.ids.case_line.text = self._case_line()
        for message in self.choices:
            chip = ChoiceChip(message=message, text=self._(message), chosen=message in self.chosen())
            chip.bind(on_release=self._toggled)
            grid.add_widget(chip)
        self._update()

    def _toggled(self, chip) -> None:
        self.toggle(chip.message)
        chip.chosen = chip.message in self.chosen()
        self._update()

    def toggle(self, message: str) -> None: ...

    def _update(self) -> None: ...

    def reset(self) -> None:
        self.ids.chips.clear_widgets()
        self.ids.case_line.text = ""


class RatingReasonsScreen(_ChipsScreen):
    screen_name = Screen.RATING_REASONS
    spoken_prompt = N_("We are sorry. What went wrong? Choose at least one reason, then tap Next.")
    choices = REASONS

    def chosen(self) -> list[str]:
        draft = self.journey("rating").draft
        return draft.reasons if draft else []

    def toggle(self, message: str) -> None:
        self.journey("rating").toggle_reason(message)

    def _update(self) -> None:
        draft = self.journey("rating").draft
        reasons = self.chosen()
        self.ids.next.disabled = not reasons
        self.ids.hint.text = (self._("{count} chosen").format(count=len(reasons)) if reasons
                              else self._("Choose at least one reason."))
        level = draft.level if draft else None
        self.ids.level_word.text = self._(level_word(level)) if level else ""

    def reset(self) -> None:
        super().reset()
        self.ids.hint.text = ""
        self.ids.level_word.text = ""


class RatingCommentScreen(_ChipsScreen):
    screen_name = Screen.RATING_COMMENT
    spoken_prompt = N_("Anything to add? You may choose phrases, then tap Send rating.")
    choices = COMMENTS

    def chosen(self) -> list[str]:
        draft = self.journey("rating").draft
        return draft.comments if draft else []

    def toggle(self, message: str) -> None:
        self.journey("rating").toggle_comment(message)

    def _update(self) -> None:
        draft = self.journey("rating").draft
        level = draft.level if draft else None
        self.ids.level_word.text = (self._("Your rating: {word}").format(word=self._(level_word(level)))
                                    if level else "")

    def reset(self) -> None:
        super().reset()
        self.ids.level_word.text = ""


class RatingDoneScreen(KioskScreen):
    screen_name = Screen.RATING_DONE
    spoken_prompt = N_("Thank you for your rating.")

    def refresh(self) -> None:
        draft = self.journey("rating").draft
        if draft is None or not draft.stored or draft.level is None:
            self.reset()
            return
        lines = [self._("Your rating: {word}").format(word=self._(level_word(draft.level)))]
        if draft.rectification:
            lines.append(self._("The county will look into it and follow it up with the department."))
        if draft.queued:
            lines.append(self._("The county service cannot be reached right now: "
                                "this kiosk keeps your rating and sends it by itself."))
        self.ids.detail.text = "\n".join(lines)

    def reset(self) -> None:
        self.ids.detail.text = ""
