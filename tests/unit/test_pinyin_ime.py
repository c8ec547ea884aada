"""The pinyin input method engine: reading typed letters as syllables, candidates and their
order, composing a phrase in several choices, and the dictionary built by `make setup`."""
from __future__ import annotations

import gzip
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ime.pinyin import DATA_FILE, Composition, PinyinEngine, token_paths
from kiosk.paths import REPO_ROOT

BUILD = REPO_ROOT / "scripts" / "build_pinyin_dictionary.py"


@pytest.fixture(scope="module")
def engine() -> PinyinEngine:
    # Built by `make setup`; a test run without it builds it the same way.
    if not DATA_FILE.exists():
        subprocess.run([sys.executable, str(BUILD)], check=True, capture_output=True)
    engine = PinyinEngine(DATA_FILE)
    engine.preload()
    return engine


def texts(found) -> list[str]:
    return [c.text for c in found]


def words(entries) -> list[str]:
    return [e.word for e in entries]


def readings(engine: PinyinEngine, keys: str) -> set[tuple[tuple[str, bool], ...]]:
    return {tuple((t.text, t.exact) for t in tokens) for tokens, _ in token_paths(engine.lexicon, keys)}


# --- the dictionary -----------------------------------------------------------------------
def test_dictionary_is_the_build_steps_small_output(engine):
    assert DATA_FILE.stat().st_size < 5 * 1024 * 1024
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as lines:
        header = next(lines)
        rows = [line.rstrip("\n").split("\t") for line in lines]
    assert "scripts/build_pinyin_dictionary.py" in header and "jieba" in header and "pypinyin" in header
    assert all(1 <= len(word) <= 4 and len(word) == len(reading.split("'")) for word, reading, _ in rows)
    frequencies = [int(f) for _, _, f in rows]
    assert frequencies == sorted(frequencies, reverse=True)


def test_dictionary_knows_readings_of_words_and_every_reading_of_a_character(engine):
    by_reading = engine.lexicon.by_reading
    assert "政务" in words(by_reading[("zheng", "wu")])
    assert "银行" in words(by_reading[("yin", "hang")])  # the phrase's reading, not xing
    assert "行" in words(by_reading[("hang",)]) and "行" in words(by_reading[("xing",)])
    assert "绿" in words(by_reading[("lv",)])  # ü is typed as v


def test_catalogue_phrases_are_in_the_dictionary(engine):
    assert "食品经营" in words(engine.lexicon.by_reading[("shi", "pin", "jing", "ying")])
    assert "澄迈" in words(engine.lexicon.by_reading[("cheng", "mai")])  # rare in jieba's corpus


def test_traditional_characters_are_left_out(engine):
    assert "发" in words(engine.lexicon.by_reading[("fa",)])
    assert "發" not in words(engine.lexicon.by_reading[("fa",)])


# --- reading the keys ---------------------------------------------------------------------
def test_keys_are_read_as_syllables_ambiguously(engine):
    found = readings(engine, "xian")
    assert (("xian", True),) in found
    assert (("xi", True), ("an", True)) in found
    assert (("xian", False),) in found  # still being typed: xiang


def test_an_apostrophe_separates_syllables(engine):
    found = readings(engine, "xi'an")
    assert (("xi", True), ("an", True)) in found
    assert not any(tokens[0][0] == "xian" for tokens in found)


def test_a_syllable_start_stands_alone_only_where_nothing_can_continue_it(engine):
    found = readings(engine, "shipin")
    assert all(tokens[0] == ("shi", True) for tokens in found)  # never s-h-… (时候)
    assert (("s", False), ("p", False), ("j", False), ("y", False)) in readings(engine, "spjy")
    assert (("shi", True), ("p", False), ("j", False), ("y", False)) in readings(engine, "shipjy")


# --- candidates ---------------------------------------------------------------------------
def test_full_pinyin(engine):
    found = engine.candidates("zhengwu", 5)
    assert "政务" in texts(found)
    assert all(c.consumed == 7 and c.exact for c in found[:2])


def test_ambiguous_syllables_give_both_readings(engine):
    found = {c.text: c for c in engine.candidates("xian", 30)}
    assert found["先"].pinyin == ("xian",) and found["西安"].pinyin == ("xi", "an")
    assert found["先"].consumed == found["西安"].consumed == 4


def test_initials(engine):
    assert "食品经营" in texts(engine.candidates("spjy", 5))
    assert engine.candidates("bdc", 1)[0].text == "不动产"


def test_full_syllables_and_initials_mixed(engine):
    found = engine.candidates("shipjy", 5)
    assert found[0].text == "食品经营" and found[0].consumed == 6 and not found[0].exact


def test_longest_first_then_full_syllables_then_frequency(engine):
    found = engine.candidates("xian", 200)
    consumed = [c.consumed for c in found]
    assert consumed == sorted(consumed, reverse=True)
    covering_all = [c for c in found if c.consumed == 4]
    exact = [c.exact for c in covering_all]
    assert exact == sorted(exact, reverse=True) and True in exact and False in exact  # 先 before 想
    exact_frequencies = [c.frequency for c in covering_all if c.exact]
    assert exact_frequencies == sorted(exact_frequencies, reverse=True)


def test_shorter_candidates_leave_the_rest_of_the_keys(engine):
    found = {c.text: c for c in engine.candidates("shipinjingying", 40)}
    assert found["食品经营"].consumed == 14
    assert found["食品"].keys == "shipin"
    assert found["食"].keys == "shi"


def test_each_word_once_and_the_limit_kept(engine):
    found = engine.candidates("xing", 7)
    assert len(found) == 7 and len(set(texts(found))) == 7
    assert engine.candidates("xing", 0) == []


@pytest.mark.parametrize("keys", ["", "iiii", "vvv", "123", "shi1", "食品", "!!", "'''", "SHI PIN"])
def test_junk_gives_nothing(engine, keys):
    assert engine.candidates(keys, 10) == []


def test_capitals_are_typed_letters(engine):
    assert texts(engine.candidates("ZHENGWU", 5)) == texts(engine.candidates("zhengwu", 5))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(st.characters(max_codepoint=127)), st.text(st.sampled_from("abcdeghijlnoszuxy'"))))
def test_any_ascii_input_gives_candidates_within_the_keys(engine, keys):
    for candidate in engine.candidates(keys, 10):
        assert 1 <= candidate.consumed <= len(keys)
        assert keys.lower().startswith(candidate.keys)


# --- composing ----------------------------------------------------------------------------
def pick(composition: Composition, text: str):
    return next(c for c in composition.candidates(40) if c.text == text)


def test_a_phrase_chosen_in_two_parts(engine):
    composition = Composition(engine)
    assert composition.type("shipinjingying")
    assert composition.choose(pick(composition, "食品")) == ""
    assert composition.keys == "jingying" and composition.preedit == "食品jingying"
    assert composition.candidates(3)[0].text == "经营"
    assert composition.choose(pick(composition, "经营")) == "食品经营"
    assert composition.committed == "食品经营" and not composition.composing


def test_backspace_removes_keys_then_undoes_choices(engine):
    composition = Composition(engine)
    composition.type("xi'an")
    composition.choose(pick(composition, "西"))
    assert composition.keys == "an"
    assert composition.backspace() and composition.keys == "a"
    assert composition.backspace() and composition.keys == "" and composition.preedit == "西"
    assert composition.backspace() and composition.keys == "xi'" and composition.preedit == "xi'"
    composition.clear()
    assert not composition.backspace()  # nothing composing: the field's text is the widget's


def test_enter_commits_what_is_shown(engine):
    composition = Composition(engine)
    composition.type("shipinjy")
    composition.choose(pick(composition, "食品"))
    assert composition.commit() == "食品jy" and composition.committed == "食品jy"
    assert composition.keys == "" and not composition.composing


def test_only_letters_are_typed(engine):
    composition = Composition(engine)
    assert not composition.type("1") and not composition.type("食")
    assert composition.type("Bdc") and composition.keys == "bdc"


def test_a_candidate_of_other_keys_is_refused(engine):
    composition = Composition(engine)
    composition.type("zhengwu")
    stale = engine.candidates("shipin", 1)[0]
    with pytest.raises(ValueError):
        composition.choose(stale)
    assert composition.keys == "zhengwu"
