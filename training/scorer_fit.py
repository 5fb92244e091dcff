"""Fit the learned match scorer (`matcher/scorer.py`) for one model version.

Labelled candidate lists, built the way a search sees them (`matcher/ranking.py` computes every
feature, exactly as at serving time):
- for each lost report (anchor) of the pairs: its 30 nearest found reports by the model's cosine
  among every found text of the pairs (positives, hard negatives, `pool`) plus synthetic near
  misses of its own true item (the positive with its colour, brand or capacity swapped, in the
  script it is written in); its positive, hard negative and near misses are always in the list;
- the same list with the true item removed (what a search sees before the item is handed in:
  the best candidate must then score low);
- a small campus: the true item among 0-3 random others, 1-3 random others alone, and a near
  miss with 0-2 random others (a fresh install with few open reports: a lone unrelated item or
  a lone near miss must not look like a match).
Label 1 = the anchor's true item: every found text of that item (its re-tellings by
`training/augment.py` included), never only the anchor's own positive. Lists with and without the true item weigh alike (a search does
not know whether the item was handed in). A logistic regression is chosen by grouped cross-validation
(folds by item, so no report nor a re-telling of it sits on both sides) on log loss; its out-of-fold predictions
give the calibration report (also per writing style, each style held out in turn).

The base model's shipped scorer is fitted on the hand-written pairs and 2 re-tellings of each in
every voice of `training/augment.py` (`--augment`): fitted on one author's phrasing alone, a
scorer learns that author's wording as evidence and calls other students' true reports unlikely.

    python -m training.scorer_fit --model base --out matcher/scorers/base-e5-small.json
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matcher.lexicon import BRANDS, COLOURS, detect_category, language_style, normalize
from matcher.ranking import Candidate, candidate_features
from matcher.scorer import Scorer
from training.pairs import Pair

log = logging.getLogger(__name__)
CANDIDATES = 30
Encode = Callable[[list[str], str], np.ndarray]  # (texts, "lost"|"found") -> normalised vectors
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)

# --- synthetic near misses ------------------------------------------------------------------


def _spellings(column: str) -> list[str]:
    return [s.strip() for s in column.split(",") if s.strip()]


def _colour_columns() -> list[dict[str, str]]:
    """Per script column (English, Singlish, Sinhala): spelling -> canonical colour."""
    columns: list[dict[str, str]] = [{}, {}, {}]
    for canonical, variants in COLOURS.items():
        for col, spellings in enumerate(variants):
            for spelling in _spellings(spellings):
                columns[col][spelling] = canonical
    return columns


_COLOURS = _colour_columns()
_FIRST_COLOUR = [{c: _spellings(v[col])[0] for c, v in COLOURS.items() if _spellings(v[col])}
                 for col in range(3)]
_CAPACITY = re.compile(r"(\d+(?:\.\d+)?)(\s*)(gb|tb|mb|ml|l|mah|w|inch|\")(?![a-z])", re.I)
_SINHALA = re.compile("[\u0d80-\u0dff]")


def _find(text: str, spelling: str) -> re.Match | None:
    """A whole-word occurrence (a Sinhala colour may run on into "පාට")."""
    after = r"(?![\w\u0d80-\u0dff])"
    if _SINHALA.search(spelling):
        after = r"(?=පාට|[^\w\u0d80-\u0dff]|$)"
    return re.search(rf"(?<![\w\u0d80-\u0dff]){re.escape(spelling)}{after}", text, re.I)


def swap_colour(text: str, rng: random.Random) -> str | None:
    for col in (2, 1, 0):  # Sinhala first (substrings), then Singlish, then English
        for spelling in sorted(_COLOURS[col], key=len, reverse=True):
            match = _find(text, spelling)
            if match is None:
                continue
            own = _COLOURS[col][spelling]
            others = [c for c in _FIRST_COLOUR[col] if c != own and c not in {"beige"}]
            if not others:
                continue
            new = _FIRST_COLOUR[col][rng.choice(sorted(others))]
            if match.group(0)[:1].isupper():
                new = new[:1].upper() + new[1:]
            return text[:match.start()] + new + text[match.end():]
    return None


def swap_brand(text: str, rng: random.Random) -> str | None:
    for brand, (spellings, category) in BRANDS.items():
        for spelling in sorted(_spellings(spellings), key=len, reverse=True):
            match = _find(text, spelling)
            if match is None:
                continue
            others = [b for b, (_, cat) in BRANDS.items() if b != brand and cat == category
                      and b not in brand and brand not in b]
            if not others:
                continue
            other = _spellings(BRANDS[rng.choice(sorted(others))][0])
            sinhala = [s for s in other if _SINHALA.search(s)]
            new = sinhala[0] if _SINHALA.search(spelling) and sinhala else other[0]
            if match.group(0)[:1].isupper():
                new = new[:1].upper() + new[1:]
            return text[:match.start()] + new + text[match.end():]
    return None


def swap_capacity(text: str, rng: random.Random) -> str | None:
    match = _CAPACITY.search(text)
    if match is None:
        return None
    number = float(match.group(1))
    new = number * rng.choice((2, 4)) if number < 100 else number / 2
    shown = f"{new:g}"
    return text[:match.start(1)] + shown + text[match.end(1):]


def near_misses(text: str, rng: random.Random) -> list[tuple[str, str]]:
    """(what was swapped, the changed text) for each of colour, brand and capacity it states."""
    out = []
    for name, swap in (("colour", swap_colour), ("brand", swap_brand),
                       ("capacity", swap_capacity)):
        changed = swap(text, rng)
        if changed and normalize(changed) != normalize(text):
            out.append((name, changed))
    return out


# --- labelled candidate lists ---------------------------------------------------------------


@dataclass
class Rows:
    features: list[dict[str, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # the item the anchor is about
    styles: list[str] = field(default_factory=list)  # the anchor's writing style
    lists: list[str] = field(default_factory=list)  # full, heldout, small, small-none/-miss
    list_ids: list[int] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (anchor, candidate), to inspect

    def add(self, rows: list[dict], labels: list[int], group: int, style: str, kind: str,
            list_id: int, texts: list[tuple[str, str]] = ()) -> None:
        self.texts += texts
        self.features += rows
        self.labels += labels
        self.groups += [group] * len(rows)
        self.styles += [style] * len(rows)
        self.lists += [kind] * len(rows)
        self.list_ids += [list_id] * len(rows)


def _anchors(pairs: list[Pair]) -> list[tuple[str, set[str], set[str]]]:
    """(anchor, its positives, its hard negatives), one entry per distinct anchor."""
    by_anchor: dict[str, tuple[str, set[str], set[str]]] = {}
    for pair in pairs:
        entry = by_anchor.setdefault(normalize(pair.anchor), (pair.anchor, set(), set()))
        entry[1].add(pair.positive)
        if pair.negative:
            entry[2].add(pair.negative)
    return list(by_anchor.values())


def _item_groups(pairs: list[Pair]) -> dict[str, int]:
    """The cross-validation group of each anchor: the item it is about, so that the re-tellings
    of one item (training/augment.py) and anchors sharing a found report never sit on both
    sides of a fold."""
    from training.augment import item_of

    items: dict[str, int] = {}
    groups: dict[str, int] = {}
    for pair in pairs:
        groups.setdefault(normalize(pair.anchor), items.setdefault(item_of(pair), len(items)))
    return groups


def background_cosine(sims: np.ndarray, positive_mask: np.ndarray) -> float:
    """A typical unrelated report's cosine: the 75th percentile of anchor x non-matching cosines."""
    return round(float(np.quantile(sims[~positive_mask], 0.75)), 4)


def build_rows(encode: Encode, pairs: list[Pair], pool: list[str] = (), seed: int = 42,
               background: float | None = None) -> tuple[Rows, float]:
    """The labelled lists of the module docstring, and the background cosine used."""
    rng = random.Random(seed)
    anchors = _anchors(pairs)
    group_of = _item_groups(pairs)
    # every found text of an item is the true item for every anchor about it (its re-tellings)
    of_item: dict[int, set[str]] = {}
    for anchor, positives, _ in anchors:
        of_item.setdefault(group_of[normalize(anchor)], set()).update(positives)
    anchors = [(anchor, of_item[group_of[normalize(anchor)]], negatives - of_item[
        group_of[normalize(anchor)]]) for anchor, _, negatives in anchors]
    corpus = sorted({t for _, pos, neg in anchors for t in pos | neg} | set(pool))
    misses: list[tuple[int, str]] = []  # (anchor number, near-miss text)
    for number, (_, positives, _) in enumerate(anchors):
        for positive in sorted(positives)[:2]:  # an item's re-tellings would repeat its misses
            misses += [(number, t) for _, t in near_misses(positive, rng)]
    texts = corpus + [t for _, t in misses]
    started = time.perf_counter()
    queries = encode([a for a, _, _ in anchors], "lost")
    docs = encode(texts, "found")
    log.info("encoded %d anchors and %d found texts in %.0f s", len(anchors), len(texts),
             time.perf_counter() - started)
    sims = queries @ docs.T
    index = {normalize(t): i for i, t in enumerate(texts)}
    positive_mask = np.zeros_like(sims, dtype=bool)
    for number, (_, positives, _) in enumerate(anchors):
        for p in positives:
            positive_mask[number, index[normalize(p)]] = True
    if background is None:
        background = background_cosine(sims[:, :len(corpus)], positive_mask[:, :len(corpus)])
    own_misses: dict[int, list[int]] = {}
    for j, (number, _) in enumerate(misses):
        own_misses.setdefault(number, []).append(len(corpus) + j)

    rows = Rows()
    list_id = 0

    def add_list(number: int, ids: list[int], kind: str) -> None:
        nonlocal list_id
        anchor = anchors[number][0]
        candidates = [Candidate(i, texts[i], detect_category(texts[i]), float(sims[number, i]))
                      for i in ids]
        feats, _ = candidate_features(anchor, detect_category(anchor), candidates, background)
        labels = [int(positive_mask[number, i]) for i in ids]
        rows.add(feats, labels, group_of[normalize(anchor)], language_style(anchor), kind, list_id,
                 [(anchor, c.text) for c in candidates])
        list_id += 1

    corpus_ids = np.arange(len(corpus))
    for number, (_, positives, negatives) in enumerate(anchors):
        own = [index[normalize(t)] for t in sorted(positives | negatives)]
        own += own_misses.get(number, [])
        pos = set(np.flatnonzero(positive_mask[number]).tolist())
        # 1. a full search: the 30 nearest of the corpus, with its own true item, hard negative
        #    and near misses forced in
        nearest = corpus_ids[np.argsort(-sims[number, :len(corpus)])][:CANDIDATES].tolist()
        ids = list(dict.fromkeys(own + nearest))[:max(CANDIDATES, len(own))]
        add_list(number, ids, "full")
        # 2. the same search before the true item is handed in
        held = [i for i in dict.fromkeys(own + nearest) if i not in pos][:CANDIDATES]
        add_list(number, held, "heldout")
        # 3. a small campus, with and without the true item
        others = [int(i) for i in rng.sample(range(len(corpus)), min(8, len(corpus)))
                  if int(i) not in pos]
        add_list(number, sorted(pos)[:1] + others[:rng.randint(0, 3)], "small")
        add_list(number, others[3:3 + rng.randint(1, 3)] or others[:1], "small-none")
        # 4. a small campus where only a near miss of the true item was handed in
        for miss in own_misses.get(number, []):
            add_list(number, [miss] + others[6:6 + rng.randint(0, 2)], "small-miss")
    return rows, background


# --- fitting --------------------------------------------------------------------------------

FEATURE_ORDER = ("cosine", "margin", "gap_top", "log_rank", "keyword", "keyword_shared",
                 "keyword_unmatched", "same_category", "other_category")


def feature_names(rows: list[dict[str, float]]) -> list[str]:
    seen = {name for row in rows for name in row}
    return [n for n in FEATURE_ORDER if n in seen] + sorted(seen - set(FEATURE_ORDER))


def _matrix(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    return np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=np.float64)


def _fit_lr(x: np.ndarray, y: np.ndarray, c: float, w: np.ndarray | None = None):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, y, sample_weight=w)
    return model


def list_weights(rows: Rows) -> np.ndarray:
    """Weights that make searches with and without the true item count alike (a 50% prior that
    the item was handed in: a search does not know), whatever the mix of built lists."""
    y = np.asarray(rows.labels)
    ids = np.asarray(rows.list_ids)
    with_item = set(ids[y == 1].tolist())
    has = np.isin(ids, list(with_item))
    n_with, n_without = len(with_item), len(set(ids.tolist()) - with_item)
    return np.where(has, 1.0, n_with / n_without if n_without else 1.0)


def _folds(groups: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    unique = [int(g) for g in np.unique(groups)]
    random.Random(seed).shuffle(unique)
    return [np.isin(groups, unique[i::k]) for i in range(k)]


def _out_of_fold(x: np.ndarray, y: np.ndarray, masks: list[np.ndarray], c: float,
                 w: np.ndarray) -> np.ndarray:
    out = np.zeros(len(y))
    for test in masks:
        if y[~test].min() == y[~test].max():
            out[test] = y[~test].mean()
            continue
        out[test] = _fit_lr(x[~test], y[~test], c, w[~test]).predict_proba(x[test])[:, 1]
    return out


def _log_loss(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.average(y * np.log(p) + (1 - y) * np.log(1 - p), weights=w))


def calibration_report(rows: Rows, probabilities: np.ndarray) -> dict:
    """What the tiers mean on predictions the scorer did not fit (out of fold)."""
    y = np.asarray(rows.labels)
    score = 100 * probabilities
    kinds = np.asarray(rows.lists)
    ids = np.asarray(rows.list_ids)
    report: dict = {"rows": len(y), "positives": int(y.sum())}
    for name, floor in (("excellent", 85), ("good", 75), ("display", 60)):
        shown = score >= floor
        report[f"precision_at_{name}"] = round(float(y[shown].mean()), 4) if shown.any() else None
        report[f"recall_at_{name}"] = round(float((score[y == 1] >= floor).mean()), 4)
    bins = np.linspace(0, 1, 11)
    ece = 0.0
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        m = (probabilities >= lo) & ((probabilities < hi) if hi < 1 else (probabilities <= hi))
        if m.any():
            ece += m.mean() * abs(y[m].mean() - probabilities[m].mean())
    report["ece"] = round(float(ece), 4)
    # per list: is the true item first? does a list without it still show something?
    top1, nomatch60, nomatch75 = [], [], []
    for list_id in np.unique(ids):
        m = ids == list_id
        best = int(np.argmax(score[m]))
        if kinds[m][0] == "full":
            top1.append(bool(y[m][best]))
        if kinds[m][0] == "heldout":
            nomatch60.append(score[m][best] >= 60)
            nomatch75.append(score[m][best] >= 75)
    report["full_top1"] = round(float(np.mean(top1)), 4) if top1 else None
    report["heldout_shown_at_60"] = round(float(np.mean(nomatch60)), 4) if nomatch60 else None
    report["heldout_notified_at_75"] = round(float(np.mean(nomatch75)), 4) if nomatch75 else None
    return report


def fit_rows(rows: Rows, version: str, background: float, seed: int = 42,
             folds: int = 5) -> Scorer:
    """Choose C by grouped cross-validation (log loss), fit on everything, report out of fold."""
    names = feature_names(rows.features)
    x = _matrix(rows.features, names)
    y = np.asarray(rows.labels)
    if y.min() == y.max():
        raise ValueError("the scorer needs both true and wrong candidates to learn from")
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = (x - mean) / scale
    groups = np.asarray(rows.groups)
    k = max(2, min(folds, len(np.unique(groups))))
    masks = _folds(groups, k, seed)
    w = list_weights(rows)
    losses = {c: _log_loss(y, _out_of_fold(xs, y, masks, c, w), w) for c in C_GRID}
    best_c = min(losses, key=losses.get)
    oof = _out_of_fold(xs, y, masks, best_c, w)
    report = {"C": best_c, "cv_log_loss": {str(c): round(v, 4) for c, v in losses.items()},
              "grouped_cv": calibration_report(rows, oof)}
    styles = np.asarray(rows.styles)
    by_style = {}
    for style in sorted(set(rows.styles)):  # each writing style held out in turn
        test = styles == style
        if y[~test].min() != y[~test].max() and test.any():
            p = _fit_lr(xs[~test], y[~test], best_c, w[~test]).predict_proba(xs[test])[:, 1]
            sub = Rows([rows.features[i] for i in np.flatnonzero(test)], list(y[test]),
                       list(groups[test]), list(styles[test]),
                       [rows.lists[i] for i in np.flatnonzero(test)],
                       [rows.list_ids[i] for i in np.flatnonzero(test)])
            by_style[style] = calibration_report(sub, p)
    report["style_held_out"] = by_style
    model = _fit_lr(xs, y, best_c, w)
    return Scorer(version, tuple(names), tuple(round(float(v), 6) for v in mean),
                  tuple(round(float(v), 6) for v in scale),
                  tuple(round(float(v), 6) for v in model.coef_[0]),
                  round(float(model.intercept_[0]), 6), background, report)


def st_encoder(model) -> Encode:
    """An Encode over a sentence-transformers model, with the serving prompts."""
    from matcher.convert import PROMPTS

    def encode(texts: list[str], kind: str) -> np.ndarray:
        prompt = PROMPTS["query" if kind == "lost" else "passage"]
        return np.asarray(model.encode(texts, prompt=prompt, normalize_embeddings=True,
                                       batch_size=64, show_progress_bar=False))

    return encode


def cached(encode: Encode, path: Path) -> Encode:
    """`encode` with a vector cache on disk (one model only: name the file after it), for refits
    while the attribute reader changes but the model does not."""
    import hashlib

    store: dict[str, np.ndarray] = dict(np.load(path)) if Path(path).exists() else {}

    def key(text: str, kind: str) -> str:
        return hashlib.sha1(f"{kind}:{text}".encode()).hexdigest()

    def run(texts: list[str], kind: str) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if key(t, kind) not in store]
        if missing:
            for text, vector in zip(missing, encode(missing, kind), strict=True):
                store[key(text, kind)] = vector
            np.savez(path, **store)
        return np.stack([store[key(t, kind)] for t in texts])

    return run


def fit_scorer(encode: Encode, pairs: list[Pair], version: str, pool: list[str] = (),
               seed: int = 42) -> Scorer:
    """The scorer of one model version from its labelled lists (see the module docstring)."""
    started = time.perf_counter()
    rows, background = build_rows(encode, pairs, pool, seed)
    scorer = fit_rows(rows, version, background, seed)
    scorer.report.update({"anchors": len(set(rows.groups)), "seconds":
                          round(time.perf_counter() - started, 1)})
    log.info("scorer for %s: %s", version, scorer.report["grouped_cv"])
    return scorer


def main(argv: list[str] | None = None) -> int:
    from sentence_transformers import SentenceTransformer

    from matcher.encoder import model_version_of
    from matcher.store import ModelStore, write_atomic
    from training.augment import HELD_OUT_VOICES, TRAIN_VOICES, augment
    from training.pairs import load_pairs

    parser = argparse.ArgumentParser(prog="python -m training.scorer_fit")
    parser.add_argument("--model", default="base", help="base | current | a model folder")
    parser.add_argument("--pairs", type=Path, default=Path("data/text_pairs.json"))
    parser.add_argument("--out", type=Path, help="a scorer file (default: MODEL/scorer.json)")
    parser.add_argument("--cache", type=Path, help="vector cache (.npz) for repeated refits")
    parser.add_argument("--augment", type=int, default=2, metavar="N",
                        help="also fit on N re-tellings of every pair in all the voices of "
                             "training/augment.py (default 2; 0: the hand-written pairs only)")
    parser.add_argument("--models-dir", type=Path, default=Path("data/models"))
    parser.add_argument("--max-seq-length", type=int, default=128)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    store = ModelStore(args.models_dir, "bundled", args.max_seq_length)
    path = {"base": store.base_path, "current": store.current_path}.get(
        args.model, lambda: Path(args.model))()
    model = SentenceTransformer(str(path), device="cpu")
    model.max_seq_length = args.max_seq_length
    encode = st_encoder(model)
    if args.cache:
        encode = cached(encode, args.cache)
    pairs = load_pairs(args.pairs)
    if args.augment:  # other students' wording: one author's pairs alone make a strict scorer
        pairs += augment(pairs, TRAIN_VOICES + HELD_OUT_VOICES, args.augment)
    scorer = fit_scorer(encode, pairs, model_version_of(path))
    out = args.out or path / "scorer.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, json.dumps(scorer.to_json(), indent=1, ensure_ascii=False))
    print(f"scorer for {scorer.version}: {out}")
    print(json.dumps(scorer.report["grouped_cv"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
