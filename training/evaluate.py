"""`hoyamu evaluate`: retrieval quality on a held-out set, with the full scoring, against baselines.

Input (JSON Lines): corpus {id, text, category, lang} (found reports), queries {id, text, lang,
category, relevant: [ids]} (lost reports whose item is in the corpus), nomatch {id, text, lang,
category} (lost reports whose item is not). Each query is ranked against the whole corpus the way
the service ranks: the 30 nearest by cosine through `matcher/ranking.py`, the one ranking path
(learned scorer or blend).

Definitions: top-k = a relevant item among the first k; MRR@10; recall_display = the relevant item
is shown (top 3 with score >= display threshold); recall_notify = its score reaches the notification
threshold; nomatch_fpr_* = share of no-match queries whose best candidate reaches that threshold;
heldout_fpr_* = the same for every query run again with its own relevant item(s) removed from the
corpus (180 more no-match cases, each with its closest relatives still there). Every rate carries
a 95% bootstrap interval (queries resampled, 1000 times) under "ci", overall, per language style
and same- vs cross-language.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.lexicon import detect_category, tokens
from matcher.ranking import Candidate, Ranking

CANDIDATES = 30
BOOTSTRAP = 1000
# (texts, categories, ids to leave out of the corpus per query or None) -> ranked (id, score)
Ranker = Callable[..., list[list[tuple[str, float]]]]


@dataclass
class EvalSet:
    corpus: list[dict]
    queries: list[dict]
    nomatch: list[dict]


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc})") from exc
    return rows


def load_eval_set(corpus: Path, queries: Path, nomatch: Path | None) -> EvalSet:
    data = EvalSet(read_jsonl(corpus), read_jsonl(queries), read_jsonl(nomatch) if nomatch else [])
    ids = {row["id"] for row in data.corpus}
    for query in data.queries:
        missing = set(query["relevant"]) - ids
        if missing:
            raise ValueError(f"query {query['id']}: relevant ids not in the corpus: {missing}")
    return data


def _category(row: dict, given: bool) -> str:
    return row.get("category") if given and row.get("category") else detect_category(row["text"])


class EncodedCorpus:
    """A model's vectors of the corpus (once) and of the queries (cached by text), so that several
    scorers are compared on the same cosines."""

    def __init__(self, model, corpus: list[dict], given: bool) -> None:
        from matcher.convert import PROMPTS

        self.model, self.corpus, self.prompts = model, corpus, PROMPTS
        self.docs = np.asarray(model.encode([r["text"] for r in corpus], prompt=PROMPTS["passage"],
                                            normalize_embeddings=True, batch_size=64,
                                            show_progress_bar=False))
        self.categories = [_category(r, given) for r in corpus]
        self._queries: dict[str, np.ndarray] = {}

    def query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = np.asarray(self.model.encode(
                [text], prompt=self.prompts["query"], normalize_embeddings=True,
                show_progress_bar=False))[0]
        return self._queries[text]


def model_ranker(encoded: EncodedCorpus, ranking: Ranking,
                 latencies: list[float] | None = None) -> Ranker:
    """Rank like the service: the 30 nearest by cosine through the one ranking path
    (`matcher/ranking.py`). `latencies` gets encode + rank + score per query, in ms."""
    corpus = encoded.corpus

    def rank(texts: list[str], categories: list[str],
             excludes: list[set[str]] | None = None) -> list[list[tuple[str, float]]]:
        results = []
        for n, (text, category) in enumerate(zip(texts, categories, strict=True)):
            started = time.perf_counter()
            cosines = encoded.docs @ encoded.query(text)
            if excludes:
                for i, row in enumerate(corpus):
                    if row["id"] in excludes[n]:
                        cosines[i] = -np.inf
            top = [int(i) for i in np.argsort(-cosines)[:CANDIDATES] if np.isfinite(cosines[i])]
            candidates = [Candidate(corpus[i]["id"], corpus[i]["text"], encoded.categories[i],
                                    float(cosines[i])) for i in top]
            scored = [(r.key, r.parts.score) for r in ranking.rank(text, category, candidates)]
            if latencies is not None:
                latencies.append((time.perf_counter() - started) * 1000)
            results.append(scored)
        return results

    return rank


def bm25_ranker(corpus: list[dict]) -> Ranker:
    """BM25 over the same normalised words; score = 100 x BM25 / the query's self-match BM25."""
    from rank_bm25 import BM25Okapi

    docs = [tokens(r["text"]) or ["_"] for r in corpus]
    bm25 = BM25Okapi(docs)

    def self_score(words: list[str]) -> float:
        total, length = 0.0, len(words)
        for word in set(words):
            tf = words.count(word)
            total += bm25.idf.get(word, 0.0) * tf * (bm25.k1 + 1) / (
                tf + bm25.k1 * (1 - bm25.b + bm25.b * length / bm25.avgdl))
        return total

    def rank(texts: list[str], categories: list[str],
             excludes: list[set[str]] | None = None) -> list[list[tuple[str, float]]]:
        results = []
        for n, text in enumerate(texts):
            words = tokens(text) or ["_"]
            scores = bm25.get_scores(words)
            if excludes:
                scores = np.where([r["id"] in excludes[n] for r in corpus], -np.inf, scores)
            best = max(self_score(words), 1e-9)
            order = [i for i in np.argsort(-scores)[:CANDIDATES] if np.isfinite(scores[i])]
            results.append([(corpus[i]["id"], float(min(100.0, 100 * scores[i] / best)))
                            for i in order])
        return results

    return rank


def _rates(hits: list[bool]) -> float:
    return round(sum(hits) / len(hits), 4) if hits else 0.0


def bootstrap_ci(hits: list[bool] | np.ndarray, resamples: int = BOOTSTRAP,
                 seed: int = 0) -> list[float] | None:
    """95% percentile bootstrap interval of a rate (queries resampled with replacement)."""
    values = np.asarray(hits, dtype=float)
    if values.size == 0:
        return None
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, (resamples, values.size))].mean(axis=1)
    return [round(float(np.quantile(means, 0.025)), 4), round(float(np.quantile(means, 0.975)), 4)]


def score_rankings(data: EvalSet, ranked: list[list[tuple[str, float]]],
                   ranked_nomatch: list[list[tuple[str, float]]], display: float,
                   notify: float, ranked_heldout: list[list[tuple[str, float]]] | None = None
                   ) -> dict:
    """All metrics of one system from its rankings, with 95% bootstrap intervals under "ci".

    `ranked_heldout`: the queries ranked again with their own relevant items left out of the
    corpus (the "held-out item" no-match set: whatever is shown or notified is wrong)."""
    corpus_lang = {row["id"]: row.get("lang") for row in data.corpus}
    per_lang: dict[str, list[int]] = defaultdict(list)
    per_cross: dict[str, list[int]] = defaultdict(list)
    ranks, shown, notified, correct_scores = [], [], [], []
    for query, result in zip(data.queries, ranked, strict=True):
        relevant = set(query["relevant"])
        rank = next((i + 1 for i, (doc, _) in enumerate(result) if doc in relevant), math.inf)
        ranks.append(rank)
        scores = {doc: score for doc, score in result}
        best_relevant = max((scores[d] for d in relevant if d in scores), default=0.0)
        shown.append(rank <= 3 and best_relevant >= display)
        notified.append(best_relevant >= notify)
        if rank == 1:
            correct_scores.append(result[0][1])
        per_lang[query.get("lang", "?")].append(rank)
        same = any(corpus_lang.get(d) == query.get("lang") for d in relevant)
        per_cross["same" if same else "cross"].append(rank)
    nomatch_scores = [result[0][1] if result else 0.0 for result in ranked_nomatch]
    heldout_scores = [result[0][1] if result else 0.0 for result in ranked_heldout or []]

    def hits(k: int, values: list) -> list[bool]:
        return [r <= k for r in values]

    def top(k: int, values: list) -> float:
        return _rates(hits(k, values))

    result = {
        "queries": len(ranks), "nomatch_queries": len(nomatch_scores),
        "top1": top(1, ranks), "top3": top(3, ranks), "top5": top(5, ranks),
        "mrr10": round(float(np.mean([1 / r if r <= 10 else 0.0 for r in ranks])), 4),
        "recall_display": _rates(shown), "recall_notify": _rates(notified),
        "nomatch_fpr_display": _rates([s >= display for s in nomatch_scores]),
        "nomatch_fpr_notify": _rates([s >= notify for s in nomatch_scores]),
        "by_lang": {lang: {"n": len(v), "top1": top(1, v), "top3": top(3, v)}
                    for lang, v in sorted(per_lang.items())},
        "same_lang": {"n": len(per_cross["same"]), "top1": top(1, per_cross["same"]),
                      "top3": top(3, per_cross["same"])},
        "cross_lang": {"n": len(per_cross["cross"]), "top1": top(1, per_cross["cross"]),
                       "top3": top(3, per_cross["cross"])},
        "scores": {"correct_top1": correct_scores, "nomatch_top1": nomatch_scores},
    }
    ci = {"top1": bootstrap_ci(hits(1, ranks)), "top3": bootstrap_ci(hits(3, ranks)),
          "recall_display": bootstrap_ci(shown), "recall_notify": bootstrap_ci(notified),
          "nomatch_fpr_display": bootstrap_ci([s >= display for s in nomatch_scores]),
          "nomatch_fpr_notify": bootstrap_ci([s >= notify for s in nomatch_scores]),
          "by_lang": {lang: bootstrap_ci(hits(1, v)) for lang, v in sorted(per_lang.items())},
          "same_lang": bootstrap_ci(hits(1, per_cross["same"])),
          "cross_lang": bootstrap_ci(hits(1, per_cross["cross"]))}
    if ranked_heldout is not None:
        result["heldout_fpr_display"] = _rates([s >= display for s in heldout_scores])
        result["heldout_fpr_notify"] = _rates([s >= notify for s in heldout_scores])
        result["scores"]["heldout_top1"] = heldout_scores
        ci["heldout_fpr_display"] = bootstrap_ci([s >= display for s in heldout_scores])
        ci["heldout_fpr_notify"] = bootstrap_ci([s >= notify for s in heldout_scores])
    result["ci"] = ci
    return result


def evaluate_system(data: EvalSet, ranker: Ranker, given: bool, display: float,
                    notify: float) -> dict:
    """Queries, no-match queries, and every query again without its own item(s)."""
    texts = [q["text"] for q in data.queries]
    categories = [_category(q, given) for q in data.queries]
    queries = ranker(texts, categories)
    nomatch = ranker([q["text"] for q in data.nomatch], [_category(q, given) for q in data.nomatch])
    heldout = ranker(texts, categories, [set(q["relevant"]) for q in data.queries])
    return score_rankings(data, queries, nomatch, display, notify, heldout)


def latency_summary(latencies: list[float]) -> dict:
    if not latencies:
        return {}
    ordered = sorted(latencies)
    return {"p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}


def plot_scores(results: dict, path: Path, display: float, notify: float) -> None:
    """Histogram: correct top-1 scores against no-match top-1 scores, per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(results["systems"].items())
    fig, axes = plt.subplots(1, len(systems), figsize=(4.2 * len(systems), 3.6), squeeze=False)
    bins = np.linspace(0, 100, 41)
    for ax, (name, res) in zip(axes[0], systems, strict=True):
        ax.hist(res["scores"]["correct_top1"], bins=bins, alpha=0.6, label="correct top-1")
        ax.hist(res["scores"]["nomatch_top1"] + res["scores"].get("heldout_top1", []), bins=bins,
                alpha=0.6, label="no-match + held-out item top-1")
        ax.axvline(display, color="k", linestyle="--", linewidth=1)
        ax.axvline(notify, color="r", linestyle=":", linewidth=1)
        ax.set_title(f"{name}: top-1 {res['top1']:.2f}, FPR {res['nomatch_fpr_display']:.2f}")
        ax.set_xlabel("score")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
