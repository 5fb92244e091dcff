"""The one ranking path: candidates -> per-candidate features -> score -> tier -> order.

Used by the service (`hoyamu/reports.py`), by `hoyamu evaluate` (`training/evaluate.py`), by the
scorer's fitting (`training/scorer_fit.py`) and by `make bench` (`bench/search.py`), so what is
measured and what is learned is exactly what serves.

A candidate is an open report of the other kind with its cosine to the query (the FAISS top 30).
Two scorers:
- "learned" (default): the model version's logistic regression (`matcher/scorer.py`) over the
  features below, a calibrated probability shown as 0-100;
- "blend": the seed's 0.90 semantic (cosine through the model's curve) + 0.05 keyword overlap +
  0.05 same category. Also what serves when a model folder has no scorer.
Either way each candidate carries what agrees and what differs between the two reports
(`matcher/attributes.py`), so a match can say why.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from matcher import attributes
from matcher.lexicon import keywords
from matcher.scorer import Scorer
from matcher.scoring import Calibration, ScoreParts, keyword_overlap, tier_of

MODES = ("learned", "blend")
DEFAULT_BACKGROUND = 0.80  # a lone candidate's neighbour when the model has no scorer
CLIP = 0.3


@dataclass(frozen=True)
class Candidate:
    key: Hashable  # the item id (service) or the corpus id (evaluation)
    text: str
    category: str
    cosine: float


@dataclass(frozen=True)
class Ranked:
    key: Hashable
    parts: ScoreParts
    features: dict


@lru_cache(maxsize=50_000)
def _read(text: str) -> tuple[frozenset[str], object]:
    """Keywords and facts of one report text (cached: candidates recur across searches)."""
    return frozenset(keywords(text)), attributes.read_facts(text)


def remember(text: str) -> None:
    """Read a new report once when it is stored, so searches that meet it find it cached
    (reading a text costs a few ms; 30 uncached candidates would cost tens)."""
    _read(text)


def _mismatch(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the stated values only one report has (0 when either says nothing)."""
    return len(a ^ b) / len(a | b) if a and b else 0.0


def _clip(value: float) -> float:
    return max(-CLIP, min(CLIP, value))


def candidate_features(query_text: str, query_category: str, candidates: Sequence[Candidate],
                       background: float) -> tuple[list[dict[str, float]], list]:
    """One feature row per candidate (and its attribute comparison), in the candidates' order.

    Neighbourhood: the margin to the best *other* candidate's cosine (a lone candidate's
    neighbour is `background`, the model's typical unrelated cosine), the gap to the top cosine,
    and the cosine rank."""
    query_keywords, query_facts = _read(query_text)
    cosines = [c.cosine for c in candidates]
    order = sorted(range(len(cosines)), key=lambda i: -cosines[i])
    rank = {i: r for r, i in enumerate(order)}
    first = cosines[order[0]] if order else 0.0
    second = cosines[order[1]] if len(order) > 1 else background
    rows, comparisons = [], []
    for i, cand in enumerate(candidates):
        cand_keywords, cand_facts = _read(cand.text)
        best_other = max(second if rank[i] == 0 else first, background)
        comparison = attributes.compare(query_facts, cand_facts)
        same_category = query_category == cand.category and query_category != "Other"
        row = {
            "cosine": cand.cosine,
            "margin": _clip(cand.cosine - best_other),
            "gap_top": _clip(cand.cosine - first),
            "log_rank": math.log1p(rank[i]),
            "keyword": keyword_overlap(set(query_keywords), set(cand_keywords)),
            "keyword_shared": math.log1p(len(query_keywords & cand_keywords)),
            "keyword_unmatched": (len(query_keywords - cand_keywords) / len(query_keywords)
                                  if query_keywords else 0.0),
            "same_category": float(same_category),
            "other_category": float(not same_category and "Other" not in
                                    (query_category, cand.category)),
        }
        row.update((name, float(value)) for name, value in comparison.features().items())
        # beyond agree/contradict: how much of the colours and marks the two do not share (a
        # white bag with a red strap "agrees" with a grey one with a red strap on red alone)
        row["colour_mismatch"] = _mismatch(query_facts.colours, cand_facts.colours)
        row["marks_mismatch"] = _mismatch(query_facts.marks, cand_facts.marks)
        rows.append(row)
        comparisons.append(comparison)
    return rows, comparisons


@dataclass(frozen=True)
class Ranking:
    """How one model version scores: its curve, its learned scorer (if any) and the setting."""

    calibration: Calibration
    weights: tuple[float, float, float]
    scorer: Scorer | None = None
    mode: str = "learned"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"scoring must be one of {', '.join(MODES)}, not {self.mode!r}")

    @property
    def learned(self) -> bool:
        return self.mode == "learned" and self.scorer is not None

    def with_mode(self, mode: str) -> Ranking:
        return replace(self, mode=mode)

    def rank(self, query_text: str, query_category: str,
             candidates: Sequence[Candidate]) -> list[Ranked]:
        """Every candidate scored, best first (ties: higher cosine first)."""
        if not candidates:
            return []
        background = self.scorer.background_cosine if self.scorer else DEFAULT_BACKGROUND
        rows, comparisons = candidate_features(query_text, query_category, candidates, background)
        semantic = np.atleast_1d(self.calibration.semantic(np.array([c.cosine for c in candidates])))
        w_sem, w_kw, w_cat = self.weights
        learned = self.learned
        probabilities = self.scorer.probabilities(rows) if learned else None
        ranked = []
        for i, cand in enumerate(candidates):
            row = rows[i]
            keyword, category = 100.0 * row["keyword"], 100.0 * row["same_category"]
            score = (round(100.0 * float(probabilities[i]), 1) if learned else
                     round(w_sem * float(semantic[i]) + w_kw * keyword + w_cat * category, 1))
            parts = ScoreParts(score, tier_of(score), round(cand.cosine, 4),
                               round(float(semantic[i]), 1), round(keyword, 1), category,
                               tuple(comparisons[i].agree), tuple(comparisons[i].differ),
                               "learned" if learned else "blend")
            ranked.append(Ranked(cand.key, parts, row))
        ranked.sort(key=lambda r: (-r.parts.score, -r.parts.cosine))
        return ranked
