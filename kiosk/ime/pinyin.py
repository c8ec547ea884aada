"""Pinyin input method engine: typed Latin letters to Chinese candidates, no Kivy.

The keys are read as syllables, ambiguously ("xian" is 先 and 西安 "xi'an"), where any
syllable may be cut to its start ("spjy", "shipjy" for 食品经营). The start of a syllable
stands alone only where the next letter cannot continue it, or at the very end, so that
"shipin" is never read as "s-h-…" (时候). An apostrophe separates syllables explicitly.

Candidates covering more of the keys come first, full syllables before abbreviations, then
the more frequent. Each says which keys it stands for: choosing 食品 from "shipinjingying"
leaves "jingying" to continue with (see Composition).

The dictionary is assets/ime/pinyin.tsv.gz, built by scripts/build_pinyin_dictionary.py
(`make setup`), loaded once on first use.
"""
from __future__ import annotations

import gzip
import re
import sys
import threading
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from kiosk.paths import ASSETS

DATA_FILE = ASSETS / "ime" / "pinyin.tsv.gz"
SEPARATOR = "'"
MAX_WORD = 4  # characters (so syllables) in the longest word of the dictionary
DEFAULT_LIMIT = 20
TYPABLE_KEYS = re.compile(r"[a-z']*")


class Entry(NamedTuple):
    word: str
    syllables: tuple[str, ...]
    frequency: int


@dataclass(frozen=True)
class Token:
    """Typed letters read as one syllable: all of it (exact) or its start (abbreviation)."""
    text: str
    exact: bool

    def fits(self, syllable: str) -> bool:
        return syllable == self.text if self.exact else syllable.startswith(self.text)


@dataclass(frozen=True)
class Candidate:
    text: str
    keys: str  # the typed keys it stands for, with the separators after them
    pinyin: tuple[str, ...]
    exact: bool  # every syllable typed in full
    frequency: int

    @property
    def consumed(self) -> int:
        return len(self.keys)


class DictionaryMissing(FileNotFoundError):
    pass


class Lexicon:
    """The dictionary indexed for lookups: by full reading, and by the first letter of each
    syllable (abbreviations); each list most frequent first."""

    def __init__(self, entries: Iterable[Entry]):
        self.by_reading: dict[tuple[str, ...], list[Entry]] = {}
        self.by_initials: dict[str, list[Entry]] = {}
        for entry in entries:
            self.by_reading.setdefault(entry.syllables, []).append(entry)
            self.by_initials.setdefault(initials(entry.syllables), []).append(entry)
        for index in (self.by_reading, self.by_initials):
            for bucket in index.values():
                bucket.sort(key=lambda e: -e.frequency)
        self.syllables = frozenset(s for reading in self.by_reading for s in reading)
        # Proper starts of syllables: what an abbreviation may be ("zh", "zho", "x").
        self.starts = frozenset(s[:n] for s in self.syllables for n in range(1, len(s)))
        self.longest_syllable = max(map(len, self.syllables), default=0)

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> Lexicon:
        if not path.exists():
            raise DictionaryMissing(f"{path} is missing: `make setup` builds it")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            return cls(parse(lines))

    def lookup(self, tokens: tuple[Token, ...], limit: int) -> list[Entry]:
        """The most frequent words read as `tokens`, at most `limit`."""
        if all(t.exact for t in tokens):
            return self.by_reading.get(tuple(t.text for t in tokens), [])[:limit]
        bucket = self.by_initials.get("".join(t.text[0] for t in tokens), [])
        fitting = (e for e in bucket if all(map(Token.fits, tokens, e.syllables)))
        return list(islice(fitting, limit))

    def continues(self, text: str) -> bool:
        return text in self.syllables or text in self.starts


def initials(syllables: tuple[str, ...]) -> str:
    return "".join(s[0] for s in syllables)


def parse(lines: Iterable[str]) -> Iterator[Entry]:
    """Entries of the data file: word, syllables joined by "'", frequency; # comments."""
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        word, reading, frequency = line.rstrip("\n").split("\t")
        # Interned: a few hundred syllables shared by every entry instead of a copy each.
        syllables = tuple(sys.intern(s) for s in reading.split(SEPARATOR))
        yield Entry(word, syllables, int(frequency))


# --- reading the keys ---------------------------------------------------------------------
def normalise(keys: str) -> str | None:
    """Lower-case keys, or None when something in them is not a letter or a separator."""
    if not keys.isascii():
        return None
    keys = keys.lower()
    return keys if TYPABLE_KEYS.fullmatch(keys) else None


def skip_separators(keys: str, position: int) -> int:
    while position < len(keys) and keys[position] == SEPARATOR:
        position += 1
    return position


def token_options(lexicon: Lexicon, keys: str, start: int) -> list[tuple[Token, int]]:
    """Every token that can begin at `start`, with the position after it."""
    options = []
    stop = keys.find(SEPARATOR, start)
    stop = len(keys) if stop < 0 else stop
    for end in range(start + 1, min(stop, start + lexicon.longest_syllable) + 1):
        text = keys[start:end]
        if not lexicon.continues(text):
            break
        if text in lexicon.syllables:
            options.append((Token(text, True), end))
        if text in lexicon.starts and stands_alone(lexicon, keys, start, end):
            options.append((Token(text, False), end))
    return options


def stands_alone(lexicon: Lexicon, keys: str, start: int, end: int) -> bool:
    """May keys[start:end], the start of a syllable, be read as an abbreviation? Always at
    the end (the syllable is still being typed); elsewhere only when it is not itself a
    syllable and the next letter cannot continue it."""
    if end == len(keys):
        return True
    if keys[start:end] in lexicon.syllables:
        return False
    return keys[end] == SEPARATOR or not lexicon.continues(keys[start:end + 1])


def token_paths(lexicon: Lexicon, keys: str) -> list[tuple[tuple[Token, ...], int]]:
    """Every reading of the start of the keys as one to MAX_WORD tokens, with the number of
    keys it covers (separators after it included)."""
    paths: list[tuple[tuple[Token, ...], int]] = []

    def extend(tokens: tuple[Token, ...], position: int) -> None:
        for token, end in token_options(lexicon, keys, position):
            path, end = tokens + (token,), skip_separators(keys, end)
            paths.append((path, end))
            if len(path) < MAX_WORD and end < len(keys):
                extend(path, end)

    extend((), skip_separators(keys, 0))
    return paths


def rank(candidate: Candidate) -> tuple:
    return (-candidate.consumed, not candidate.exact, -candidate.frequency, candidate.text)


# --- the engine ---------------------------------------------------------------------------
class PinyinEngine:
    """Candidates for typed keys; the dictionary is loaded on first use, once (thread-safe:
    the keyboard may warm it up off the UI thread with preload())."""

    def __init__(self, path: Path = DATA_FILE):
        self.path = path
        self._lexicon: Lexicon | None = None
        self._lock = threading.Lock()

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    self._lexicon = Lexicon.load(self.path)
        return self._lexicon

    def preload(self) -> None:
        _ = self.lexicon

    def candidates(self, keys: str, limit: int = DEFAULT_LIMIT) -> list[Candidate]:
        """The best `limit` candidates for the start of `keys`; none for keys that are not
        letters (and apostrophes)."""
        keys = normalise(keys)
        if not keys or limit <= 0:
            return []
        best: dict[str, Candidate] = {}
        for tokens, end in token_paths(self.lexicon, keys):
            exact = all(t.exact for t in tokens)
            for entry in self.lexicon.lookup(tokens, limit):
                found = Candidate(entry.word, keys[:end], entry.syllables, exact, entry.frequency)
                known = best.get(found.text)
                if known is None or rank(found) < rank(known):
                    best[found.text] = found
        return sorted(best.values(), key=rank)[:limit]


_default = PinyinEngine()


def default_engine() -> PinyinEngine:
    return _default


def candidates(keys: str, limit: int = DEFAULT_LIMIT) -> list[Candidate]:
    return _default.candidates(keys, limit)


# --- composing ----------------------------------------------------------------------------
class Composition:
    """What the keyboard is composing: the candidates chosen so far, then the keys still to
    convert. When the last keys are converted the chosen text is committed."""

    def __init__(self, engine: PinyinEngine | None = None):
        self.engine = engine or _default
        self.keys = ""
        self.committed = ""  # all the text committed so far, for the field being edited
        self._chosen: list[Candidate] = []

    @property
    def chosen_text(self) -> str:
        return "".join(c.text for c in self._chosen)

    @property
    def preedit(self) -> str:
        """What to show while composing: 食品jingying."""
        return self.chosen_text + self.keys

    @property
    def composing(self) -> bool:
        return bool(self.keys or self._chosen)

    def type(self, letters: str) -> bool:
        """Add typed keys; False (and nothing added) when they are not letters or "'"."""
        letters = normalise(letters)
        if letters is None:
            return False
        self.keys += letters
        return True

    def candidates(self, limit: int = DEFAULT_LIMIT) -> list[Candidate]:
        return self.engine.candidates(self.keys, limit)

    def choose(self, candidate: Candidate) -> str:
        """Convert the keys the candidate stands for; returns the text committed by this
        choice (all of it once no keys are left, else "")."""
        if not candidate.keys or not self.keys.startswith(candidate.keys):
            raise ValueError(f"{candidate.text} is not a candidate for {self.keys!r}")
        self._chosen.append(candidate)
        self.keys = self.keys[candidate.consumed:]
        return "" if self.keys else self._commit(self.chosen_text)

    def backspace(self) -> bool:
        """Remove the last key, or with none left turn the last choice back into its keys.
        False when nothing is being composed (the field's own text is the widget's)."""
        if self.keys:
            self.keys = self.keys[:-1]
        elif self._chosen:
            self.keys = self._chosen.pop().keys
        else:
            return False
        return True

    def commit(self) -> str:
        """Commit what is shown, keys still unconverted kept as letters (Enter)."""
        return self._commit(self.preedit)

    def clear(self) -> None:
        self.keys = ""
        self._chosen.clear()

    def _commit(self, text: str) -> str:
        self.committed += text
        self.clear()
        return text
