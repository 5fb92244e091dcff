"""Sinhala script -> Latin letters, and a sound-alike fold for comparing words across scripts.

The romanizer is aksharamukha (Sinhala -> ISO 15919), chosen over uroman and indic-transliteration
for the reasons in ARCHITECTURE.md ("Attribute reader"). Its ISO output keeps the letters that
loanwords need (ැ -> æ, ෂ -> ṣ, ෆ -> f); `to_ascii` then drops the diacritics, so that ලැප්ටොප් ->
"laptop", ටොෂිබා -> "tosiba", කසුන් -> "kasun". One call costs about 1 ms whatever its length, so a
text's unknown words are romanized in one call, and every word is cached.

`sound_key` folds a Latin word (typed or romanized) to a key on which the spellings of one name
meet: "Toshiba" and ටොෂිබා -> "tosiba", "Chamod" and චමෝද් -> "kamod", "iPhone" and අයිෆෝන් -> "ifon".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

_SINHALA_RE = re.compile("[\u0d80-\u0dff]")
_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 50_000


def has_sinhala(text: str) -> bool:
    return _SINHALA_RE.search(text) is not None


def to_ascii(text: str) -> str:
    """ISO 15919 (or any accented Latin) -> plain lower-case ASCII letters and digits."""
    text = text.casefold().replace("æ", "a").replace("ǣ", "a").replace("ṁ", "m").replace("ṃ", "m")
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch == " "))


def _aksharamukha(text: str) -> str:
    from aksharamukha import transliterate  # imported on first use: 0.2 s

    return str(transliterate.process("Sinhala", "ISO", text))


def romanize_words(words: Sequence[str]) -> list[str]:
    """Each Sinhala word as plain ASCII Latin (other words unchanged); one romanizer call for all
    the words not yet cached."""
    todo = [w for w in dict.fromkeys(words) if w not in _CACHE and has_sinhala(w)]
    if todo:
        out = _aksharamukha(" ".join(todo)).split(" ")
        if len(out) != len(todo):  # the romanizer merged or split a word: do them one by one
            out = [_aksharamukha(w) for w in todo]
        if len(_CACHE) > _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE.update({w: to_ascii(r) for w, r in zip(todo, out, strict=True)})
    return [_CACHE.get(w, w) for w in words]


def romanize(word: str) -> str:
    return romanize_words([word])[0]


_SOUND_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "f"), ("th", "t"), ("dh", "d"), ("sh", "s"), ("ch", "c"), ("kh", "k"), ("gh", "g"),
    ("bh", "b"), ("ck", "k"), ("q", "k"), ("x", "ks"), ("z", "s"), ("w", "v"), ("ae", "a"),
    ("ee", "i"), ("oo", "u"), ("ou", "u"), ("y", "i"),
)
_C_HARD_RE = re.compile(r"c(?=[aoulrk]|$)")
_REPEAT_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=32768)
def sound_key(word: str) -> str:
    """A loose key for comparing names and brands across scripts and spellings: ASCII, th/t, sh/s,
    ch/c, ph/f, w/v, hard c/k, y/i, doubled letters and vowel length merged, a final silent e and
    a leading "ai" (Sinhala writes English "i" as අයි) reduced."""
    word = to_ascii(romanize(word) if has_sinhala(word) else word).replace(" ", "")
    for old, new in _SOUND_RULES:
        word = word.replace(old, new)
    word = _C_HARD_RE.sub("k", word)
    word = _REPEAT_RE.sub(r"\1", word)
    if word.startswith(("ai", "ei")) and len(word) > 3:
        word = "i" + word[2:]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def similarity(a: str, b: str) -> float:
    """0-100: how alike two names sound, across scripts ("Kasun" / කසුන් -> 100)."""
    ka, kb = sound_key(a), sound_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 100.0
    return float(fuzz.ratio(ka, kb))
