"""Embeddings for the large runs, made in bulk once and cached under data/bench/<model version>/.

- `real_vectors(n)`: n realistic found reports (bench/items.py) encoded by the real serving model
  with the "passage: " prompt, as the service stores found items. Cached as .npy + texts .jsonl.
- `synthetic_vectors(n)`: the index contents for sizes beyond the real ones. Rows below the real
  count are the real vectors; every further row j is real vector (j mod R) plus Gaussian noise
  (sigma per dimension `NOISE_SIGMA`, so about 0.95 cosine to its source, about the spread of
  two rewordings of one report) and renormalised. Written in chunks to a memory-mappable .npy,
  so one million rows (1.5 GB) are made once and never held twice.
- `query_vectors(n)`: realistic lost reports with the "query: " prompt (for recall runs).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from bench.items import Report, unique_reports

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "data" / "bench"
NOISE_SIGMA = 0.017  # noise norm ~ 0.017 x sqrt(384) = 0.33 -> cosine to the source ~ 0.95
ITEM_SEED, QUERY_SEED = 11, 23


def serving_model_path() -> Path:
    """The model that serves now (data/models/CURRENT, else the converted base model)."""
    from matcher.store import ModelStore

    return ModelStore(ROOT / "data" / "models", "bundled").current_path()


def _folder(version: str) -> Path:
    folder = CACHE / version
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def found_reports(n: int) -> list[Report]:
    return unique_reports(n, "found", ITEM_SEED)


def lost_reports(n: int) -> list[Report]:
    return unique_reports(n, "lost", QUERY_SEED)


def _encode_cached(encoder, kind: str, reports: list[Report], name: str) -> np.ndarray:
    folder = _folder(encoder.version)
    path = folder / f"{name}-{len(reports)}.npy"
    texts = folder / f"{name}-{len(reports)}.jsonl"
    if path.exists() and texts.exists():
        return np.load(path)
    # a larger cached set starts with these very reports (the generator is deterministic)
    for other in sorted(folder.glob(f"{name}-*.npy"), key=lambda p: int(p.stem.split("-")[-1])):
        if int(other.stem.split("-")[-1]) >= len(reports) and other.with_suffix(".jsonl").exists():
            return np.load(other, mmap_mode="r")[:len(reports)].copy()
    started = time.perf_counter()
    vectors = np.zeros((len(reports), encoder.dim), dtype=np.float32)
    step = 2048
    for start in range(0, len(reports), step):
        chunk = reports[start:start + step]
        vectors[start:start + len(chunk)] = encoder.encode(kind, [r.text for r in chunk])
        print(f"  encoded {start + len(chunk)}/{len(reports)} {kind} reports "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    with open(texts, "w", encoding="utf-8") as handle:
        for report in reports:
            handle.write(json.dumps({"text": report.text, "category": report.category,
                                     "style": report.style}, ensure_ascii=False) + "\n")
    np.save(path, vectors)
    return vectors


def cached_vectors(version: str, name: str, n: int) -> np.ndarray:
    """The first n cached vectors of "found" or "lost" reports (made by a real_/query_vectors
    call before); no model is loaded."""
    folder = CACHE / version
    for path in sorted(folder.glob(f"{name}-*.npy"), key=lambda p: int(p.stem.split("-")[-1])):
        if int(path.stem.split("-")[-1]) >= n:
            return np.load(path, mmap_mode="r")[:n].copy()
    raise FileNotFoundError(f"no cached {name} vectors >= {n} in {folder}")


def real_vectors(encoder, n: int) -> tuple[np.ndarray, list[Report]]:
    reports = found_reports(n)
    return _encode_cached(encoder, "found", reports, "found"), reports


def query_vectors(encoder, n: int) -> tuple[np.ndarray, list[Report]]:
    reports = lost_reports(n)
    return _encode_cached(encoder, "lost", reports, "lost"), reports


def synthetic_vectors(version: str, real: np.ndarray, n: int, seed: int = 5) -> np.ndarray:
    """n index vectors: the real ones first, then noisy renormalised copies (memory-mapped)."""
    if n <= len(real):
        return real[:n]
    folder = _folder(version)
    path = folder / f"synthetic-{len(real)}-{n}.npy"
    if path.exists():
        return np.load(path, mmap_mode="r")
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp.npy")
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, real.shape[1]))
    out[:len(real)] = real
    rng = np.random.default_rng(seed)
    step = 65_536
    for start in range(len(real), n, step):
        stop = min(n, start + step)
        source = real[np.arange(start, stop) % len(real)]
        noisy = source + rng.normal(0.0, NOISE_SIGMA, size=source.shape).astype(np.float32)
        out[start:stop] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    out.flush()
    del out
    tmp.rename(path)
    print(f"  synthesised {n} vectors in {time.perf_counter() - started:.0f} s -> {path}",
          flush=True)
    return np.load(path, mmap_mode="r")


def texts_for(reports: list[Report], n: int) -> list[Report]:
    """The report behind each of n index rows (row j -> real report j mod R)."""
    return [reports[j % len(reports)] for j in range(n)]
