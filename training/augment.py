"""Augmented training pairs in many students' voices, generated at training time from a seed.

The hand-written pairs come from one author. A campus sends every spelling there is, so each
pair is re-told by simulated "voices": Sinhala script romanized the ways students type it (th/t,
w/v, long vowels doubled or dropped, "eka/ek", "mage/mge"), English mixed with Singlish words,
terse and chatty versions, Sri Lankan English phrasing, typos and emoji, and owner/finder pairs
that keep different details of the same item. Nothing new is invented about the item: every
augmented text is a re-telling of a hand-written one, so a pair's truth is the seed pair's.

`augment(pairs, voices, per_pair, seed)` is a pure function of its arguments: the same seed gives
the same pairs (they are not committed; `python -m training.augment --out FILE` writes them for
inspection). Voices come in two disjoint sets: TRAIN_VOICES for training, HELD_OUT_VOICES only for
the held-out split the recipe and the gate are judged on (`voice_split`), so that split is written
in voices training never saw, about items training never saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matcher.lexicon import language_style, normalize
from training.pairs import Pair, dedupe, split_pairs

_SINHALA = re.compile(r"[\u0D80-\u0DFF\u200c\u200d]+")
_CLAUSE = re.compile(r"(?<=[.!?;])\s+|,\s+")


@dataclass(frozen=True)
class Voice:
    """How one simulated student writes."""

    name: str
    th: bool = True             # dental t written "th" (thiyenawa) or "t" (tiyenava)
    w: bool = True              # v written "w" (wuna) or "v" (vuna)
    long_vowels: str = "single"  # "single" (pata), "double" (paata) for ā ī ū ē ō
    squeeze: float = 0.0        # share of common words written without vowels (mge, ek, nthi)
    romanize: float = 1.0       # chance a Sinhala-script text is typed in Singlish instead
    mix: float = 0.0            # share of mixable English words said in Singlish
    register: str = "plain"     # plain | terse | chatty | sl_english
    typos: float = 0.0          # chance per word of a typo
    emoji: float = 0.0          # chance of an emoji or two
    lower: bool = False         # types everything in lower case


TRAIN_VOICES = (
    Voice("undergrad-th", th=True, w=True, mix=0.5, register="chatty", emoji=0.4, lower=True),
    Voice("texter", th=True, w=True, squeeze=0.5, register="terse", typos=0.06, lower=True),
    Voice("formal-sl", th=True, w=False, long_vowels="double", romanize=0.3, mix=0.0,
          register="sl_english"),
    Voice("code-mixer", th=False, w=True, mix=0.8, register="plain", emoji=0.2),
    Voice("hurried", th=True, w=True, squeeze=0.3, romanize=0.7, mix=0.3, register="terse",
          typos=0.1, emoji=0.3, lower=True),
    Voice("polite", th=False, w=False, long_vowels="double", romanize=0.5, mix=0.2,
          register="chatty", emoji=0.1),
)
# held-out only: spelling conventions and registers mixed in combinations training never sees
HELD_OUT_VOICES = (
    Voice("t-v-doubler", th=False, w=False, long_vowels="double", squeeze=0.4, romanize=0.6, mix=0.6,
          register="terse", typos=0.08, emoji=0.5, lower=True),
    Voice("sl-english-mixer", th=True, w=False, long_vowels="single", romanize=0.5, mix=0.7,
          register="sl_english", typos=0.03, emoji=0.2),
)
VOICES = {v.name: v for v in TRAIN_VOICES + HELD_OUT_VOICES}

# --- romanizing Sinhala script the way students type it -------------------------------------------

_LONG = {"ā": "a", "ī": "i", "ū": "u", "ē": "e", "ō": "o"}
_DOUBLE = {"ā": "aa", "ī": "ee", "ū": "oo", "ē": "e", "ō": "o"}
_PLAIN = {"æ": "a", "ǣ": "a", "ṭ": "t", "ḍ": "d", "ṇ": "n", "ḷ": "l", "ś": "sh", "ṣ": "sh",
          "ṁ": "n", "ṃ": "n", "ṅ": "n", "ñ": "n", "ḥ": "", "r̥": "ru", "\u0306": ""}
# common words as students shorten them (a "squeeze" voice)
_SQUEEZE = {"mage": "mge", "eka": "ek", "ekak": "ekk", "nathi": "nthi", "nati": "nthi",
            "thiyenawa": "thiynwa", "tiyenava": "tiynva", "hambuna": "hmbuna",
            "karanna": "krnna", "kiyanna": "kiynna", "wage": "wge", "vage": "vge",
            "please": "pls", "thanks": "thx", "someone": "some1", "you": "u", "your": "ur"}


@cache
def _iso(text: str) -> str:
    from aksharamukha import transliterate

    return transliterate.process("Sinhala", "ISO", text)


def romanize(text: str, voice: Voice) -> str:
    """Sinhala-script runs of `text` in Singlish as this voice types it; Latin words kept."""

    def one(match: re.Match) -> str:
        iso = unicodedata.normalize("NFC", _iso(match.group(0).replace("\u200d", "").replace(
            "\u200c", "")))
        out = []
        for char in iso:
            if char in _LONG:
                out.append((_DOUBLE if voice.long_vowels == "double" else _LONG)[char])
            elif char == "t":
                out.append("th" if voice.th else "t")
            elif char == "v":
                out.append("w" if voice.w else "v")
            else:
                out.append(_PLAIN.get(char, char))
        word = unicodedata.normalize("NFKD", "".join(out))
        return "".join(c for c in word if not unicodedata.combining(c))

    return _SINHALA.sub(one, text)


# --- English words said in Singlish (code-mixing) -------------------------------------------------

_MIX = [  # (English pattern, Singlish replacement); applied word by word with the voice's share
    (r"\blost\b", "nathi una"), (r"\bfound\b", "hambuna"),
    (r"\bmy\b", "mage"), (r"\bnear\b", "langa"), (r"\binside\b", "athule"),
    (r"\bplease\b", "karunakarala"), (r"\bsomeone\b", "kawru hari"), (r"\bsmall\b", "podi"),
    (r"\bbig\b", "loku"), (r"\bold\b", "parana"), (r"\bnew\b", "aluth"), (r"\bblack\b", "kalu"),
    (r"\bwhite\b", "sudu"), (r"\bred\b", "rathu"), (r"\bblue\b", "nil"), (r"\bgreen\b", "kola"),
    (r"\byellow\b", "kaha"), (r"\bbrown\b", "dumburu"), (r"\bpink\b", "rosa"),
    (r"\byesterday\b", "iye"), (r"\btoday\b", "ada"), (r"\bmorning\b", "udeta"),
    (r"\bevening\b", "hawasa"), (r"\bthere is\b", "thiyenawa"), (r"\bhas\b", "thiyenawa"),
    (r"\bwith\b", "ekka"), (r"\bcontact\b", "call karanna"), (r"\bcolou?r\b", "pata"),
]
_ITEM_WORDS = ("wallet", "purse", "phone", "bag", "laptop", "charger", "umbrella", "bottle",
               "watch", "key", "keys", "card", "calculator", "book", "jacket", "earbuds",
               "headphones", "spectacles", "glasses", "ring", "bracelet", "pen", "id", "nic",
               "helmet", "flask", "lunchbox", "tab", "tablet", "mouse", "pendrive")
_ITEM_RE = re.compile(r"\b(?:the|a|an|my) (\w+(?: \w+)?? )?(" + "|".join(_ITEM_WORDS) + r")\b",
                      re.IGNORECASE)


def code_mix(text: str, share: float, rng: random.Random) -> str:
    """Some English words of `text` said in Singlish, and "the wallet" -> "wallet eka"."""
    if share <= 0 or language_style(text) != "en":
        return text

    def item(match: re.Match) -> str:
        if rng.random() >= share:
            return match.group(0)
        article = match.group(0).split()[0].lower()
        suffix = "ekak" if article in ("a", "an") else "eka"
        owner = "mage " if article == "my" else ""
        return f"{owner}{match.group(1) or ''}{match.group(2)} {suffix}"

    text = _ITEM_RE.sub(item, text)
    for pattern, singlish in _MIX:
        text = re.sub(pattern, lambda m, s=singlish: s if rng.random() < share else m.group(0),
                      text, flags=re.IGNORECASE)
    return text


# --- register, typos, emoji ------------------------------------------------------------------------

_CHATTY_OPEN = ("Hi all, ", "Hello everyone, ", "Guys, ", "Machan ", "Aney ", "Hi, ")
_CHATTY_CLOSE = (" Pls help!", " Thanks a lot.", " Pls msg me if u see it.", " Really need it back.",
                 " Anyone? 🙏", " karunakarala kiyanna.")
_SL_OPEN = ("Kindly note that ", "Dear all, ", "Can someone kindly inform, ", "Respected all, ")
_SL_CLOSE = (" Kindly revert.", " Please do the needful.", " Thanking you in advance.",
             " If found kindly inform.")
_EMOJI = ("😭", "🙏", "😢", "🥺", "‼️", "😔", "👀", "🔑", "📱", "👜")
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def _register(text: str, voice: Voice, rng: random.Random) -> str:
    if voice.register == "terse":
        clauses = [c for c in _CLAUSE.split(text) if c.strip()]
        keep = clauses[: max(1, min(len(clauses), rng.choice((1, 2))))]
        return " ".join(c.rstrip(".!") for c in keep)
    ended = text.rstrip() if text.rstrip()[-1:] in ".!?" else text.rstrip() + "."
    if voice.register == "chatty":
        return rng.choice(_CHATTY_OPEN) + ended[:1].lower() + ended[1:] + rng.choice(_CHATTY_CLOSE)
    if voice.register == "sl_english":
        return rng.choice(_SL_OPEN) + ended[:1].lower() + ended[1:] + rng.choice(_SL_CLOSE)
    return text


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isascii() or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swap
    if kind == 1:
        return word[:i] + word[i + 1:]  # drop
    if kind == 2:
        return word[:i] + word[i] + word[i:]  # double
    return word[:i] + rng.choice(_KEYS) + word[i + 1:]  # wrong key


def _words(text: str, voice: Voice, rng: random.Random) -> str:
    out = []
    for word in text.split(" "):
        bare = word.strip(".,!?").lower()
        if voice.squeeze and bare in _SQUEEZE and rng.random() < voice.squeeze:
            word = word.lower().replace(bare, _SQUEEZE[bare])
        elif voice.typos and rng.random() < voice.typos:
            word = _typo(word, rng)
        out.append(word)
    return " ".join(out)


def render(text: str, voice: Voice, rng: random.Random) -> str:
    """`text` re-told by `voice`: same item, same details, another student's writing."""
    if _SINHALA.search(text) and rng.random() < voice.romanize:
        text = romanize(text, voice)
    text = code_mix(text, voice.mix, rng)
    text = _register(text, voice, rng)
    text = _words(text, voice, rng)
    if voice.lower:
        text = text.lower()
    if voice.emoji and rng.random() < voice.emoji:
        text = text.rstrip() + " " + "".join(rng.sample(_EMOJI, rng.choice((1, 2))))
    return " ".join(text.split())


def _details(text: str, rng: random.Random) -> str:
    """The same report with one of its later details left out (what another person noticed)."""
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    if len(clauses) < 3:
        return text
    drop = rng.randrange(1, len(clauses))
    return ". ".join(c.rstrip(".") for i, c in enumerate(clauses) if i != drop) + "."


# --- pairs ---------------------------------------------------------------------------------------

def item_of(pair: Pair) -> str:
    """Which item a pair is about: re-tellings of one hand-written pair share it, and so do
    hand-written pairs with the same found report."""
    if pair.source == "augmented" and pair.origin and "@" in pair.origin:
        return pair.origin.rsplit("@", 1)[1]
    return hashlib.sha1(normalize(pair.positive).encode()).hexdigest()[:10]


KINDS = ("voices", "wording", "script", "details")


def _retell(pair: Pair, kind: str, owner: Voice, finder: Voice, rng: random.Random) -> Pair | None:
    if kind == "script":  # the same text in Sinhala script and in Singlish
        if not _SINHALA.search(pair.anchor):
            return None
        anchor, positive = romanize(pair.anchor, owner), pair.positive
    elif kind == "wording":  # only the wording differs: the finder's text re-told
        anchor, positive = pair.anchor, render(pair.positive, finder, rng)
    elif kind == "details":  # owner and finder each leave out something else
        anchor = render(_details(pair.anchor, rng), owner, rng)
        positive = render(_details(pair.positive, rng), finder, rng)
    else:
        anchor, positive = render(pair.anchor, owner, rng), render(pair.positive, finder, rng)
    negative = render(pair.negative, finder, rng) if pair.negative else None
    if normalize(anchor) == normalize(positive) or (
            negative and normalize(negative) == normalize(positive)):
        return None
    if (normalize(anchor), normalize(positive)) == (normalize(pair.anchor), normalize(pair.positive)):
        return None
    return Pair(anchor, positive, negative, lang=f"{language_style(anchor)}>{language_style(positive)}",
                source="augmented", category=pair.category,
                origin=f"{kind}:{owner.name}/{finder.name}@{item_of(pair)}")


def augment(pairs: list[Pair], voices: tuple[Voice, ...] = TRAIN_VOICES, per_pair: int = 2,
            seed: int = 42) -> list[Pair]:
    """`per_pair` re-told versions of every pair, each by an owner and a finder voice drawn from
    `voices` (two different voices where there are two). Deterministic in (pairs, voices,
    per_pair, seed); duplicates of each other or of the input are dropped."""
    rng = random.Random(seed)
    seen = {p.key() for p in pairs}
    out: list[Pair] = []
    for pair in pairs:
        kinds = rng.sample(KINDS, k=min(per_pair, len(KINDS)))
        if _SINHALA.search(pair.anchor) and "script" not in kinds:
            kinds[-1] = "script"  # every Sinhala-script anchor also gets its Singlish twin
        for kind in kinds:
            owner = rng.choice(voices)
            finder = rng.choice([v for v in voices if v != owner] or list(voices))
            new = _retell(pair, kind, owner, finder, rng)
            if new is None or new.key() in seen:
                new = _retell(pair, "voices", owner, finder, rng)  # fall back to a full re-telling
            if new is not None and new.key() not in seen:
                seen.add(new.key())
                out.append(new)
    return dedupe(out)


def voice_split(pairs: list[Pair], held_out: float = 0.2, seed: int = 42, per_pair: int = 2,
                held_out_per_pair: int = 2) -> tuple[list[Pair], list[Pair]]:
    """Train and held-out pairs for fine-tuning and for judging it.

    The held-out side holds items (anchors) training never sees, as written by hand and re-told
    in HELD_OUT_VOICES, which training never hears; the training side is the rest, by hand and
    re-told in TRAIN_VOICES."""
    train, test = split_pairs(pairs, held_out, seed)
    train = train + augment(train, TRAIN_VOICES, per_pair, seed)
    test = test + augment(test, HELD_OUT_VOICES, held_out_per_pair, seed + 1)
    return train, test


def main(argv: list[str] | None = None) -> int:
    from training.pairs import load_pairs, write_pairs

    parser = argparse.ArgumentParser(prog="python -m training.augment",
                                     description="write the augmented pairs for inspection")
    parser.add_argument("--pairs", type=Path, default=Path("data/text_pairs.json"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-pair", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    pairs = load_pairs(args.pairs)
    extra = augment(pairs, TRAIN_VOICES, args.per_pair, args.seed)
    write_pairs(args.out, extra)
    print(json.dumps({"seed_pairs": len(pairs), "augmented": len(extra),
                      "total": len(pairs) + len(extra)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
