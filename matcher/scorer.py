"""The learned match scorer: per-candidate features -> calibrated probability (0-100).

A logistic regression over the features that `matcher/ranking.py` computes for each candidate
(cosine, its neighbourhood, the keyword and category parts, the attribute comparison), fitted per
model version by `training/scorer_fit.py` and saved as plain JSON beside `calibration.json`:

    {"format": 1, "version": "<model version>", "features": [...], "mean": [...],
     "scale": [...], "coef": [...], "intercept": x, "background_cosine": c, "report": {...}}

Why logistic regression (and not gradient boosting): a few hundred labelled anchors, so a model
with ~20 coefficients is what the data can support; it is fitted on log loss, so its output is a
calibrated probability without a second calibration step; serving is one dot product per
candidate (microseconds for 30); JSON coefficients load without pickle; and every coefficient can
be read (a contradicted brand pulling hard is a visible negative weight). A feature the file does
not name is ignored and one the extractor no longer makes counts as its training mean, so a
change in the attribute reader degrades a scorer gracefully instead of breaking serving.

No scorer file (an old trained model): the caller falls back to the blend (the curve alone).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
FILENAME = "scorer.json"
FORMAT = 1
SHIPPED_DIR = Path(__file__).resolve().parent / "scorers"  # day-one scorers, by model version


@dataclass(frozen=True)
class Scorer:
    version: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    background_cosine: float  # a typical unrelated item's cosine: the neighbour of a lone candidate
    report: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ValueError("scorer: features, mean, scale and coef must have the same length")
        if any(s <= 0 for s in self.scale) or not all(map(math.isfinite, self.coef)):
            raise ValueError("scorer: scales must be positive and coefficients finite")
        for name, value in (("_mean", self.mean), ("_scale", self.scale), ("_coef", self.coef)):
            object.__setattr__(self, name, np.asarray(value, dtype=np.float64))

    def _matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        pairs = tuple(zip(self.features, self.mean, strict=True))
        x = np.array([[row.get(name, m) for name, m in pairs] for row in rows], dtype=np.float64)
        return (x - self._mean) / self._scale

    def probabilities(self, rows: list[dict[str, float]]) -> np.ndarray:
        """P(candidate is the student's item) for each feature row."""
        if not rows:
            return np.zeros(0)
        z = self._matrix(rows) @ self._coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def contributions(self, row: dict[str, float]) -> dict[str, float]:
        """Each feature's push on the log-odds for one row (for explanations and debugging)."""
        z = self._matrix([row])[0] * self._coef
        return {name: round(float(v), 3) for name, v in zip(self.features, z, strict=True)}

    def to_json(self) -> dict:
        return {"format": FORMAT, "version": self.version, "features": list(self.features),
                "mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef),
                "intercept": self.intercept, "background_cosine": self.background_cosine,
                "report": self.report}

    def save(self, folder: Path) -> Path:
        from matcher.store import write_atomic

        path = Path(folder) / FILENAME
        write_atomic(path, json.dumps(self.to_json(), indent=1, ensure_ascii=False))
        return path

    @classmethod
    def from_json(cls, data: dict) -> Scorer:
        if data.get("format") != FORMAT:
            raise ValueError(f"scorer: unknown format {data.get('format')!r}")
        return cls(str(data["version"]), tuple(data["features"]),
                   tuple(float(v) for v in data["mean"]), tuple(float(v) for v in data["scale"]),
                   tuple(float(v) for v in data["coef"]), float(data["intercept"]),
                   float(data["background_cosine"]), dict(data.get("report") or {}))

    @classmethod
    def read(cls, path: Path) -> Scorer:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def shipped_path(version: str) -> Path:
    return SHIPPED_DIR / f"{version}.json"


def load_scorer(model_folder: Path, version: str | None = None) -> Scorer | None:
    """The model folder's scorer.json, else the scorer shipped for this model version (the base
    model's day-one scorer), else None (serve with the blend). A broken file is logged, not fatal."""
    for path in (Path(model_folder) / FILENAME, shipped_path(version or Path(model_folder).name)):
        if path.exists():
            try:
                return Scorer.read(path)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("ignoring the unreadable scorer %s: %s", path, exc)
    return None
