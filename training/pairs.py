"""`data/text_pairs.json`: lost-style anchor, found-style positive, optional hard negative.

Loading validates every entry (a malformed one is reported with its file, index and reason) and
drops duplicates by normalised text. Every writer goes through the same check (`parse_pair`):
`write_pairs` and `update_pairs` refuse a list that `load_pairs` would reject, and code that adds
pairs it did not write by hand (feedback folding) keeps only `valid_pairs`, logging what it
skipped. Writing is atomic (temporary file + rename) under a file lock, so concurrent writers or a
crash never leave a broken file.

Training reads the seed pairs and the folded feedback pairs (a separate file, so a retrain never
rewrites the tracked seed file): `load_all_pairs([seed, feedback])`.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from matcher.lexicon import normalize
from storage.files import atomic_path, file_lock

log = logging.getLogger(__name__)
SOURCES = ("seed", "feedback", "return", "augmented")
# which verified event a folded pair came from (training/fold.py); seed pairs have none
SIGNALS = ("accepted", "returned", "declined", "down", "api")
MAX_TEXT = 2000


class PairsError(ValueError):
    """A malformed pairs file, with the index of the first bad entry (and the file, if known)."""

    def __init__(self, index: int | None, reason: str, file: str | None = None) -> None:
        where = f" entry {index}" if index is not None else ""
        super().__init__(f"{file or 'text_pairs.json'}{where}: {reason}")
        self.index = index
        self.reason = reason
        self.file = file


@dataclass
class Pair:
    anchor: str
    positive: str
    negative: str | None = None
    lang: str | None = None
    source: str = "seed"
    category: str | None = None
    origin: str | None = None  # for folded pairs: where it came from (e.g. "claim:12")
    signal: str | None = None  # for folded pairs: one of SIGNALS

    def key(self) -> tuple[str, str, str]:
        return normalize(self.anchor), normalize(self.positive), normalize(self.negative or "")

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _text(entry: dict, name: str, index: int, required: bool) -> str | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PairsError(index, f"'{name}' must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise PairsError(index, f"'{name}' is longer than {MAX_TEXT} characters")
    return value.strip()


def parse_pair(entry: object, index: int) -> Pair:
    if not isinstance(entry, dict):
        raise PairsError(index, "must be an object with 'anchor' and 'positive'")
    anchor = _text(entry, "anchor", index, True)
    positive = _text(entry, "positive", index, True)
    negative = _text(entry, "negative", index, False)
    source = entry.get("source", "seed")
    if source not in SOURCES:
        raise PairsError(index, f"'source' must be one of {', '.join(SOURCES)}")
    if normalize(anchor) == normalize(positive):
        raise PairsError(index, "'anchor' and 'positive' are the same text")
    if negative is not None and normalize(negative) == normalize(positive):
        raise PairsError(index, "'negative' is the same text as 'positive'")
    optional = {k: entry.get(k) for k in ("lang", "category", "origin", "signal")}
    for name, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise PairsError(index, f"'{name}' must be a string")
    if optional["signal"] is not None and optional["signal"] not in SIGNALS:
        raise PairsError(index, f"'signal' must be one of {', '.join(SIGNALS)}")
    return Pair(anchor, positive, negative, source=source, **optional)


def check_pairs(pairs: Sequence[Pair], file: str | None = None) -> None:
    """PairsError for the first pair that `load_pairs` would reject (the writers' check)."""
    for index, pair in enumerate(pairs):
        try:
            parse_pair(pair.to_json(), index)
        except PairsError as exc:
            raise PairsError(index, exc.reason, file) from None


_refused: set[tuple[str, ...]] = set()


def valid_pairs(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs that pass `parse_pair`, normalised as loading would; each one skipped is logged
    with its origin and reason (a 👍 on two identical texts must not break the file)."""
    kept = []
    for pair in pairs:
        try:
            kept.append(parse_pair(pair.to_json(), 0))
        except PairsError as exc:
            said = (pair.origin or pair.source, exc.reason, *pair.key())
            # every fold meets the same refused row again: warn once per process, then quietly
            log.log(logging.DEBUG if said in _refused else logging.WARNING,
                    "pair from %s not written: %s", *said[:2])
            _refused.add(said)
    return kept


def dedupe(pairs: Iterable[Pair]) -> list[Pair]:
    """First occurrence wins, by normalised (anchor, positive, negative)."""
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for pair in pairs:
        if pair.key() not in seen:
            seen.add(pair.key())
            unique.append(pair)
    return unique


def load_pairs(path: Path) -> list[Pair]:
    """Validated, de-duplicated pairs; PairsError names the file and its first malformed entry."""
    name = Path(path).name
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PairsError(None, f"is not valid JSON ({exc})", name) from exc
    if not isinstance(data, list):
        raise PairsError(None, "must be a JSON list of objects", name)
    pairs = []
    for i, entry in enumerate(data):
        try:
            pairs.append(parse_pair(entry, i))
        except PairsError as exc:
            raise PairsError(i, exc.reason, name) from None
    return dedupe(pairs)


def load_all_pairs(paths: Path | Sequence[Path]) -> list[Pair]:
    """The pairs of several files in order (seed first, then folded feedback), de-duplicated;
    a file that does not exist yet counts as empty, except the first."""
    paths = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    pairs: list[Pair] = []
    for i, path in enumerate(paths):
        if i == 0 or Path(path).exists():
            pairs += load_pairs(path)
    return dedupe(pairs)


def signal_counts(pairs: Iterable[Pair]) -> dict[str, int]:
    """How many pairs each verified signal made (SIGNALS order; zeros included)."""
    counts = dict.fromkeys(SIGNALS, 0)
    for pair in pairs:
        if pair.signal in counts:
            counts[pair.signal] += 1
    return counts


def _write(path: Path, pairs: list[Pair]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        json.dump([p.to_json() for p in pairs], handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def write_pairs(path: Path, pairs: list[Pair]) -> None:
    """Replace the file atomically, under the lock; PairsError (and nothing written) for a list
    that `load_pairs` would reject."""
    path = Path(path)
    pairs = dedupe(pairs)
    check_pairs(pairs, path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path):
        _write(path, pairs)


def update_pairs(path: Path, change: Callable[[list[Pair]], list[Pair]]) -> list[Pair]:
    """Read-modify-write under one lock: concurrent updates never lose each other's pairs.
    A change that would make the file unreadable raises PairsError and writes nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path):
        current = load_pairs(path) if path.exists() else []
        updated = dedupe(change(current))
        check_pairs(updated, path.name)
        _write(path, updated)
        return updated


def split_pairs(pairs: list[Pair], held_out: float = 0.2, seed: int = 42
                ) -> tuple[list[Pair], list[Pair]]:
    """A reproducible train/held-out split; an anchor never lands on both sides."""
    anchors = sorted({normalize(p.anchor) for p in pairs})
    random.Random(seed).shuffle(anchors)
    test_anchors = set(anchors[: max(1, round(len(anchors) * held_out))])
    train = [p for p in pairs if normalize(p.anchor) not in test_anchors]
    test = [p for p in pairs if normalize(p.anchor) in test_anchors]
    return train, test
