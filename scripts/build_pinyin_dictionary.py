"""Build the pinyin input method's dictionary (assets/ime/pinyin.tsv.gz) from packaged data.

Words and their frequencies come from jieba's dict.txt, readings from pypinyin (its phrase
table for words, every reading of a single character); hanzidentifier drops the words
written in traditional characters (jieba's list has both, the kiosk writes simplified). The
county's catalogue adds its words and phrases (澄迈, 食品经营…), so that abbreviations of the
kiosk's own vocabulary find them.

The output is a gzip'd TSV, most frequent first: word, syllables joined by "'", frequency.
Only what an input method needs is kept: words of one to four characters, no rare words.

Usage: python scripts/build_pinyin_dictionary.py [OUTPUT]
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
from collections import defaultdict
from pathlib import Path

import hanzidentifier
import jieba
import pypinyin
from pypinyin import Style, lazy_pinyin, pinyin

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "assets" / "ime" / "pinyin.tsv.gz"
CATALOGUE = REPO_ROOT / "assets" / "seed" / "catalogue.json"

MAX_CHARS = 4
# Below these jieba counts a word is too rare to be worth a slot on the kiosk's candidate
# bar; every single character is kept (names and addresses need rare ones).
MIN_FREQUENCY = {1: 1, 2: 10, 3: 20, 4: 20}
HANZI = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# Toneless syllables the keyboard can type; ü is typed as v (lv, nve), as pypinyin writes it.
TYPABLE = re.compile(r"^[a-z]*[aeiouv][a-z]*$")


def jieba_frequencies() -> dict[str, int]:
    """Every word of jieba's dictionary with its count."""
    frequencies: dict[str, int] = {}
    with jieba.get_dict_file() as raw:
        for line in raw.read().decode("utf-8").splitlines():
            word, count = line.split()[:2]
            frequencies[word] = int(count)
    return frequencies


def word_reading(word: str) -> tuple[str, ...] | None:
    """The word's reading, or None when a character has no typable syllable (interjections
    like 嗯 "ng" have no vowel to type)."""
    syllables = tuple(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))
    if len(syllables) != len(word) or not all(TYPABLE.match(s) for s in syllables):
        return None
    return syllables


def character_readings(char: str) -> list[str]:
    """Every typable reading, pypinyin's most common first."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    readings = found[0] if found else []
    return list(dict.fromkeys(r for r in readings if TYPABLE.match(r)))


def catalogue_names(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    names = [entry["name"] for key in ("windows", "departments", "items", "bundles") for entry in data[key]]
    return names + [m["name"] for item in data["items"] for m in item.get("materials", [])]


def catalogue_phrases(names: list[str], frequencies: dict[str, int]) -> dict[str, int]:
    """Every jieba word in the catalogue's names however rare (澄迈), and runs of consecutive
    words up to four characters (食品经营). A run counts as often as its rarest word: it
    cannot be more common than that."""
    phrases: dict[str, int] = {}
    for name in names:
        for word in jieba.lcut(name, cut_all=True):
            phrases[word] = frequencies.get(word, 0)
        words = jieba.lcut(name, HMM=False)
        for start in range(len(words)):
            for end in range(start + 2, len(words) + 1):
                phrase = "".join(words[start:end])
                if len(phrase) > MAX_CHARS:
                    break
                rarest = min(frequencies.get(w, 0) for w in words[start:end])
                phrases[phrase] = max(phrases.get(phrase, 0), rarest)
    return {p: f for p, f in phrases.items() if f > 0 and 1 < len(p) <= MAX_CHARS and writable(p)}


def writable(word: str) -> bool:
    """Chinese characters, none of them traditional only (characters hanzidentifier does not
    know are kept: rare ones in names)."""
    return bool(HANZI.match(word)) and hanzidentifier.identify(word) not in (
        hanzidentifier.TRADITIONAL, hanzidentifier.MIXED)


def kept_words(frequencies: dict[str, int]) -> dict[str, int]:
    return {w: f for w, f in frequencies.items()
            if len(w) <= MAX_CHARS and f >= MIN_FREQUENCY[len(w)] and writable(w)}


def reading_weights(words: dict[str, tuple[str, ...]], frequencies: dict[str, int]) -> dict[str, dict[str, int]]:
    """How often each character is read each way inside words, weighted by word frequency."""
    weights: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for word, syllables in words.items():
        if len(word) > 1:
            for char, syllable in zip(word, syllables):
                weights[char][syllable] += frequencies[word]
    return weights


def character_entries(char: str, frequency: int, weights: dict[str, int]) -> list[tuple[str, str, int]]:
    """A character under each of its readings, its count shared by how words read it. jieba
    counts a character standing alone, where the primary reading dominates (了 is le, not
    liao): the primary reading gets a pseudo-count as large as all word evidence together."""
    readings = character_readings(char)
    if not readings:
        return []
    evidence = {r: weights.get(r, 0) + 1 for r in readings}
    evidence[readings[0]] += sum(evidence.values())
    total = sum(evidence.values())
    return [(char, r, max(1, round(frequency * evidence[r] / total))) for r in readings]


def build_entries(frequencies: dict[str, int], phrases: dict[str, int]) -> list[tuple[str, str, int]]:
    words = kept_words(frequencies)
    for phrase, count in phrases.items():
        words[phrase] = max(words.get(phrase, 0), count)
    readings = {w: r for w in words if len(w) > 1 and (r := word_reading(w)) is not None}
    weights = reading_weights(readings, words)
    entries = [(w, "'".join(r), words[w]) for w, r in readings.items()]
    for char in (w for w in words if len(w) == 1):
        entries += character_entries(char, words[char], weights.get(char, {}))
    entries.sort(key=lambda e: (-e[2], e[1], e[0]))
    return entries


def write(entries: list[tuple[str, str, int]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# pinyin input method dictionary: word, syllables, frequency; built by "
              f"scripts/build_pinyin_dictionary.py from jieba {jieba.__version__}, pypinyin "
              f"{pypinyin.__version__} and hanzidentifier {hanzidentifier.__version__}\n")
    text = header + "".join(f"{w}\t{r}\t{f}\n" for w, r, f in entries)
    temporary = output.with_suffix(".tmp")
    # mtime=0: the same packages give the same bytes, whenever it is built.
    with open(temporary, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(text.encode("utf-8"))
    temporary.replace(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    jieba.setLogLevel(logging.WARNING)
    frequencies = jieba_frequencies()
    entries = build_entries(frequencies, catalogue_phrases(catalogue_names(CATALOGUE), frequencies))
    write(entries, args.output)
    print(f"{args.output}: {len(entries)} entries, {args.output.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
