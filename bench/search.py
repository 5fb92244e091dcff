"""Search latency: encode the query + index search + scoring, as HoyamuService.search does it.

One timed search = `await encoder.encode_async("lost", text)` (the serving encoder's batching
path, off the event loop) + `VectorIndex.search("found", vector, 30)` + the one ranking path
(`matcher/ranking.py`, as the service calls it: features of the 30 candidates, the model's
learned scorer or the blend per SCORING, threshold, order). The database fetch of the
candidates is not included here (it is in the bot's end-to-end figures).

Sizes 1k/10k/100k use the flat (exact) index; 1M uses the large-index setting chosen by
VectorIndex itself (IVF above INDEX_FLAT_MAX), with recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np

from bench.common import PY, Row, percentiles, rss_mb, verdict
from bench.vectors import (
    found_reports,
    lost_reports,
    query_vectors,
    real_vectors,
    serving_model_path,
    synthetic_vectors,
)

CANDIDATES = 30
TARGET_100K_MS = 25.0
TARGET_1M_MS = 60.0
TARGET_RECALL = 0.95


def _load_encoder():
    from matcher.encoder import Encoder

    return Encoder(serving_model_path())


async def timed_searches(encoder, index, queries, reports, ranking, display: float) -> dict:
    """Run every query once (after a warm-up); per-part timings in ms.

    "scoring" is the one ranking path (`matcher/ranking.py`: reading the query, features of the
    30 candidates, scorer, tiers, order) as served: the reports were read when they were stored
    (`remember`, as the service does), so only the query is read afresh; "scoring_warm" ranks the
    same query again (query read too): the features + scorer alone."""
    from matcher.lexicon import detect_category
    from matcher.ranking import Candidate, remember

    for report in reports:  # the service reads each report once, when it is stored
        remember(report.text)

    totals, encode, search, scoring, cold = [], [], [], [], []
    for number, query in enumerate(queries):
        t0 = time.perf_counter()
        category = detect_category(query.text)
        vector = await encoder.encode_async("lost", query.text)
        t1 = time.perf_counter()
        hits = index.search("found", vector, CANDIDATES)
        t2 = time.perf_counter()
        candidates = []
        for item_id, cosine in hits:
            report = reports[item_id % len(reports)]
            candidates.append(Candidate(item_id, report.text, report.category, cosine))
        views = [r for r in ranking.rank(query.text, category, candidates)
                 if r.parts.score >= display]
        t3 = time.perf_counter()
        ranking.rank(query.text, category, candidates)
        t4 = time.perf_counter()
        del views
        if number >= 10:  # the first ten warm caches up
            totals.append((t3 - t0) * 1000)
            encode.append((t1 - t0) * 1000)
            search.append((t2 - t1) * 1000)
            scoring.append((t3 - t2) * 1000)
            cold.append((t4 - t3) * 1000)
    return {"total": percentiles(totals), "encode": percentiles(encode),
            "index": percentiles(search), "scoring": percentiles(scoring),
            "scoring_warm": percentiles(cold)}


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int, step: int = 131_072) -> np.ndarray:
    """Exact top-k ids (row numbers) by inner product, in chunks (works on a memory map)."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(vectors), step):
        block = np.asarray(vectors[start:start + step])
        scores = queries @ block.T
        part = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        part_scores = np.take_along_axis(scores, part, axis=1)
        merged_scores = np.concatenate([best_scores, part_scores], axis=1)
        merged_ids = np.concatenate([best_ids, part + start], axis=1)
        order = np.argsort(-merged_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(merged_scores, order, axis=1)
        best_ids = np.take_along_axis(merged_ids, order, axis=1)
    return best_ids


def recall_at(index, queries: np.ndarray, truth: np.ndarray, k: int = 10) -> tuple[float, dict]:
    found, times = [], []
    for query, true_ids in zip(queries, truth, strict=True):
        t0 = time.perf_counter()
        hits = index.search("found", query, k)
        times.append((time.perf_counter() - t0) * 1000)
        found.append(len({i for i, _ in hits} & set(true_ids[:k].tolist())) / k)
    return round(float(np.mean(found)), 4), percentiles(times)


def build_index(vectors: np.ndarray, flat_max: int, version: str):
    from matcher.index import VectorIndex

    index = VectorIndex(vectors.shape[1], version, flat_max=flat_max)
    started = time.perf_counter()
    step = 250_000  # add in slices: the flat/IVF switch sees the whole batch only once
    if len(vectors) <= flat_max:
        for start in range(0, len(vectors), step):
            block = np.ascontiguousarray(vectors[start:start + step])
            index.add("found", list(range(start, start + len(block))), block)
    else:
        index.add("found", list(range(len(vectors))), np.ascontiguousarray(vectors))
    return index, time.perf_counter() - started


def run(sizes: list[int], queries_n: int, real_n: int, large: list[int], recall_queries: int,
        sweep: bool, large_flat_max: int | None = None) -> list[Row]:
    from hoyamu.settings import Settings
    from matcher.ranking import Ranking
    from matcher.scorer import load_scorer
    from matcher.scoring import Calibration

    settings = Settings(_env_file=None)
    encoder = _load_encoder()
    ranking = Ranking(Calibration.load(encoder.path), settings.weights,
                      load_scorer(encoder.path, encoder.version), settings.scoring)
    real, _ = real_vectors(encoder, real_n)
    reports = found_reports(real_n)
    queries = lost_reports(queries_n + 10)
    rows: list[Row] = []
    flat_max = settings.index_flat_max
    base_cmd = f"{PY} -m bench search --real {real_n} --queries {queries_n}"

    async def measure(index) -> dict:
        return await timed_searches(encoder, index, queries, reports, ranking,
                                    settings.display_threshold)

    for size in sizes:
        vectors = synthetic_vectors(encoder.version, real, size)
        index, build_s = build_index(vectors, max(flat_max, size), encoder.version)
        result = asyncio.run(measure(index))
        total = result["total"]
        target = verdict(total["p50"], TARGET_100K_MS, "ms") if size == 100_000 else ""
        rows.append(Row(
            "search", f"search, {size:,} open items, {index.mode('found')} index",
            f"p50 {total['p50']} ms, p95 {total['p95']} ms (encode p50 {result['encode']['p50']}, "
            f"index {result['index']['p50']}, scoring {result['scoring']['p50']} ms, "
            f"of which features + scorer {result['scoring_warm']['p50']} ms; {ranking.mode} scorer)",
            f"{base_cmd} --sizes {size} --large 0",
            "p50 <= 25 ms at 100k" if size == 100_000 else "", target,
            {"size": size, "mode": index.mode("found"), "build_s": round(build_s, 2),
             "rss_mb": rss_mb(), **result}))
        print(rows[-1].what, "|", rows[-1].figures, flush=True)
        del index

    for size in large:
        rows += run_large(encoder, real, size, recall_queries, sweep, measure, real_n,
                          queries_n, large_flat_max or flat_max)
    encoder.close()
    return rows


def run_large(encoder, real, large, recall_queries, sweep, measure, real_n, queries_n,
              flat_max: int) -> list[Row]:
    """The large-index setting: VectorIndex picks IVF itself; recall against exact search."""
    from matcher.index import VectorIndex, nprobe_for

    rows: list[Row] = []
    cmd = (f"{PY} -m bench search --real {real_n} --queries {queries_n} --sizes 0 "
           f"--large {large} --recall-queries {recall_queries} --flat-max {flat_max}")
    vectors = synthetic_vectors(encoder.version, real, large)
    rss_before = rss_mb()
    index, build_s = build_index(vectors, flat_max, encoder.version)
    mode = index.manifest()["index"]["found"]
    result = asyncio.run(measure(index))
    total = result["total"]
    query_vecs, _ = query_vectors(encoder, recall_queries)
    started = time.perf_counter()
    truth = exact_top(vectors, query_vecs, 10)
    exact_s = time.perf_counter() - started
    recall, search_only = recall_at(index, query_vecs, truth)
    rows.append(Row(
        "search", f"search, {large:,} open items, large-index setting ({mode['type']}, "
        f"nlist {mode.get('nlist', '-')}, nprobe {mode.get('nprobe', '-')})",
        f"p50 {total['p50']} ms, p95 {total['p95']} ms (encode p50 {result['encode']['p50']}, "
        f"index {result['index']['p50']}, scoring {result['scoring']['p50']} ms); "
        f"recall@10 vs exact {recall} over {recall_queries} queries",
        cmd, ("p50 <= 60 ms at 1M, " if large >= 1_000_000 else "") + "recall@10 >= 0.95",
        (f"p50 {verdict(total['p50'], TARGET_1M_MS, 'ms')}; " if large >= 1_000_000 else "")
        + f"recall {verdict(recall, TARGET_RECALL, '', higher_is_better=True)}",
        {"size": large, "mode": mode, "build_s": round(build_s, 2), "recall_at_10": recall,
         "index_only": search_only, "exact_numpy_s_per_query": round(exact_s / recall_queries, 4),
         "rss_mb_before_index": rss_before, "rss_mb": rss_mb(), **result}))
    print(rows[-1].what, "|", rows[-1].figures, flush=True)
    rows.append(Row("search", f"IVF build at {large:,} items (k-means + add)",
                    f"{build_s:.1f} s; process RSS {rss_before:.0f} -> {rss_mb():.0f} MB with the "
                    f"vectors mapped and the index built", cmd))

    ivf = index._indices["found"]
    if sweep and mode["type"] == "ivf":
        points = []
        for nprobe in sorted({16, 32, 64, 96, 128, 192, 256, 384, nprobe_for(ivf.nlist)}):
            ivf.nprobe = nprobe
            r, t = recall_at(index, query_vecs, truth)
            points.append({"nprobe": nprobe, "recall_at_10": r, "index_p50_ms": t["p50"],
                           "index_p95_ms": t["p95"]})
            print(f"  nprobe {nprobe}: recall@10 {r}, index p50 {t['p50']} ms", flush=True)
        ivf.nprobe = nprobe_for(ivf.nlist)
        rows.append(Row("search", f"IVF nprobe sweep at {large:,} (index search only)",
                        "; ".join(f"nprobe {p['nprobe']}: recall {p['recall_at_10']}, "
                                  f"{p['index_p50_ms']} ms" for p in points), cmd + " --sweep",
                        data={"points": points}))

    # Save and load the large index: the start-up cost of a cached 1M index
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(dir=str(Path(__file__).resolve().parent.parent / "data"
                                             / "bench")) as tmp:
        t0 = time.perf_counter()
        index.save(Path(tmp))
        save_s = time.perf_counter() - t0
        expected = {"found": set(range(large)), "lost": set()}
        t0 = time.perf_counter()
        loaded = VectorIndex.load(Path(tmp), encoder.version, encoder.dim, expected,
                                  flat_max=flat_max)
        load_s = time.perf_counter() - t0
        assert loaded is not None
        del loaded
    rows.append(Row("search", f"cached {large:,}-item index: save / load + verify",
                    f"save {save_s:.1f} s, load {load_s:.1f} s (read, id check, checksums)", cmd,
                    data={"save_s": round(save_s, 2), "load_s": round(load_s, 2)}))

    # Exact search at the same size, for comparison (index search only, few queries)
    del index
    exact = VectorIndex(encoder.dim, encoder.version, flat_max=large + 1)
    exact.add("found", list(range(large)), np.ascontiguousarray(vectors))
    _, flat_times = recall_at(exact, query_vecs[:50], truth[:50])
    rows.append(Row("search", f"flat (exact) index at {large:,}, index search only",
                    f"p50 {flat_times['p50']} ms, p95 {flat_times['p95']} ms", cmd,
                    data={"index_only": flat_times}))
    print(rows[-1].what, "|", rows[-1].figures, flush=True)
    return rows


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="flat sizes, comma-separated (0 = none)")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per size")
    parser.add_argument("--real", type=int, default=20_000, help="really encoded items")
    parser.add_argument("--large", default="250000,1000000",
                        help="large-index sizes, comma-separated (0 = none)")
    parser.add_argument("--recall-queries", type=int, default=500)
    parser.add_argument("--sweep", action="store_true", help="nprobe sweep at the large size")
    parser.add_argument("--flat-max", type=int, help="INDEX_FLAT_MAX for the large run")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if int(s) > 0]
    large = [int(s) for s in args.large.split(",") if int(s) > 0]
    rows = run(sizes, args.queries, args.real, large, args.recall_queries, args.sweep,
               args.flat_max)
    return rows


if __name__ == "__main__":
    main()
