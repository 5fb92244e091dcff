"""The blend score (weighted semantic + keyword + category parts on 0-100), the per-model cosine
curve, and the tiers. The learned scorer lives in `matcher/scorer.py`; both are applied by the
one ranking path, `matcher/ranking.py`.

The semantic part maps cosine to 0-100 through a monotone piecewise-linear curve. The default is
the familiar one (cosine 0.3 -> 40, 0.5 -> 60, 0.7 -> 80, 1.0 -> 100); a trained model writes its
own breakpoints into `calibration.json`, because e5 cosines are compressed into about 0.7-0.9.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from matcher import lexicon

COLOURS = frozenset(lexicon.COLOURS)  # canonical colour keywords: one table, in the lexicon
TIERS = (("Excellent", 85.0), ("Good", 75.0), ("Possible", 60.0))


@dataclass(frozen=True)
class Calibration:
    """Monotone breakpoints cosine -> score (both increasing)."""

    cosines: tuple[float, ...] = (0.0, 0.3, 0.5, 0.7, 1.0)
    scores: tuple[float, ...] = (0.0, 40.0, 60.0, 80.0, 100.0)
    ece: float | None = None

    def semantic(self, cosine: float | np.ndarray) -> float | np.ndarray:
        value = np.interp(cosine, self.cosines, self.scores, left=0.0, right=100.0)
        return float(value) if np.ndim(value) == 0 else value

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, folder: Path) -> Calibration:
        """The model folder's calibration.json, or the default curve when it has none."""
        path = folder / "calibration.json"
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        cal = cls(tuple(data["cosines"]), tuple(data["scores"]), data.get("ece"))
        if list(cal.cosines) != sorted(cal.cosines) or list(cal.scores) != sorted(cal.scores):
            raise ValueError(f"{path}: breakpoints must be increasing")
        return cal


@dataclass(frozen=True)
class ScoreParts:
    score: float
    tier: str | None
    cosine: float
    semantic: float
    keyword: float
    category: float
    same: tuple[str, ...] = ()  # what both reports say alike ("black", "wallet", "NIC")
    differs: tuple[str, ...] = ()  # what they say differently ("brand")
    scoring: str = "blend"  # "learned" or "blend" (matcher/ranking.py)


def tier_of(score: float) -> str | None:
    """Excellent >= 85, Good 75-85, Possible 60-75; below 60 is not a match."""
    for name, floor in TIERS:
        if score >= floor:
            return name
    return None


def keyword_overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller keyword set found in the other; 0 when colours contradict."""
    if not a or not b:
        return 0.0
    colours_a, colours_b = a & COLOURS, b & COLOURS
    if colours_a and colours_b and not colours_a & colours_b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def score_pair(
    cosine: float,
    keywords_a: set[str],
    keywords_b: set[str],
    category_a: str,
    category_b: str,
    calibration: Calibration,
    weights: tuple[float, float, float],
) -> ScoreParts:
    """Full score of one lost/found pair. Symmetric: the order of the two reports does not matter."""
    semantic = float(calibration.semantic(cosine))
    keyword = 100.0 * keyword_overlap(keywords_a, keywords_b)
    category = 100.0 if category_a == category_b and category_a != "Other" else 0.0
    w_sem, w_kw, w_cat = weights
    score = round(w_sem * semantic + w_kw * keyword + w_cat * category, 1)
    return ScoreParts(score, tier_of(score), round(cosine, 4), round(semantic, 1),
                      round(keyword, 1), category)

