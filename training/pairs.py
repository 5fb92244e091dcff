"""`data/text_pairs.json`: lost-style anchor, found-style positive, optional hard negative.

Loading validates every entry (a malformed one is reported with its index and reason) and drops
duplicates by normalised text. Writing is atomic (temporary file + rename) under a file lock, so
concurrent writers or a crash never leave a broken file.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from matcher.lexicon import normalize
from storage.files import atomic_path, file_lock

SOURCES = ("seed", "feedback", "return", "augmented")
MAX_TEXT = 2000


class PairsError(ValueError):
    """A malformed text_pairs.json, with the index of the first bad entry."""

    def __init__(self, index: int | None, reason: str) -> None:
        where = f"entry {index}: " if index is not None else ""
        super().__init__(f"text_pairs.json {where}{reason}")
        self.index = index
        self.reason = reason


@dataclass
class Pair:
    anchor: str
    positive: str
    negative: str | None = None
    lang: str | None = None
    source: str = "seed"
    category: str | None = None
    origin: str | None = None  # for folded pairs: where it came from (e.g. "match:12")

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
    optional = {k: entry.get(k) for k in ("lang", "category", "origin")}
    for name, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise PairsError(index, f"'{name}' must be a string")
    return Pair(anchor, positive, negative, source=source, **optional)


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
    """Validated, de-duplicated pairs; PairsError names the first malformed entry."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PairsError(None, f"is not valid JSON ({exc})") from exc
    if not isinstance(data, list):
        raise PairsError(None, "must be a JSON list of objects")
    return dedupe(parse_pair(entry, i) for i, entry in enumerate(data))


def _write(path: Path, pairs: list[Pair]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        json.dump([p.to_json() for p in pairs], handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def write_pairs(path: Path, pairs: list[Pair]) -> None:
    """Replace the file atomically, under the lock."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path):
        _write(path, dedupe(pairs))


def update_pairs(path: Path, change: Callable[[list[Pair]], list[Pair]]) -> list[Pair]:
    """Read-modify-write under one lock: concurrent updates never lose each other's pairs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path):
        current = load_pairs(path) if path.exists() else []
        updated = dedupe(change(current))
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
