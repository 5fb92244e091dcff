"""Start-up time: a fresh process until the core is ready, without and with a cached index.

The database (a temporary SQLite file) holds N open reports, half lost and half found, each with
its stored embedding for the serving model (vectors from bench/vectors.py). "Without a cached
index" = the index folder is empty, so `load_runtime` rebuilds the index from the stored
embeddings (no encoding) and saves it; "with" = the next start finds that saved index.
Measured from launching `python` to `start_core` returning (imports, migrations, model load,
index), as the bot does before it takes its first update.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bench.common import PY, Row, peak_rss_mb, run_json, verdict

TARGET_CACHED_S = 10.0


def worker(database_url: str, index_dir: str, started_ns: int) -> dict:
    entered = time.perf_counter()
    from bench.vectors import ROOT
    from hoyamu.core import start_core
    from hoyamu.settings import Settings

    imported = time.perf_counter()
    settings = Settings(_env_file=None, database_url=database_url, models_dir=ROOT / "data/models",
                        index_dir=Path(index_dir), base_model="bundled", telegram_bot_token=None)

    async def go() -> dict:
        t0 = time.perf_counter()
        core = await start_core(settings)
        ready = time.perf_counter() - t0
        runtime = core.serving.runtime
        info = {"start_core_s": round(ready, 2), "index_size": runtime.index.size(),
                "modes": {k: runtime.index.mode(k) for k in ("lost", "found")}}
        runtime.encoder.close()
        await core.engine.dispose()  # not core.close(): that would re-save the index
        return info

    info = asyncio.run(go())
    info["imports_s"] = round(imported - entered, 2)
    info["since_launch_s"] = round((time.time_ns() - started_ns) / 1e9, 2)
    info["peak_rss_mb"] = peak_rss_mb()
    return info


def run(n: int) -> list[Row]:
    from bench.seed import seed
    from bench.vectors import found_reports, real_vectors, serving_model_path, synthetic_vectors
    from matcher.encoder import Encoder

    encoder = Encoder(serving_model_path())
    real, _ = real_vectors(encoder, min(n, 20_000))
    version = encoder.version
    encoder.close()
    del encoder
    vectors = synthetic_vectors(version, real, n)
    reports = found_reports(min(n, 20_000))
    half = n // 2
    lost = [reports[j % len(reports)] for j in range(half)]
    found = [reports[j % len(reports)] for j in range(half, n)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="hoyamu-start-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/hoyamu.db"
        seed_s = asyncio.run(seed(url, version, lost, vectors[:half], found, vectors[half:n]))
        print(f"  seeded {n} open reports in {seed_s:.0f} s", flush=True)
        results = {}
        for label in ("rebuild", "cached"):
            results[label] = run_json(["-m", "bench.startup", "--worker", url,
                                       str(Path(tmp) / "indices"), str(time.time_ns())])
            print(f"  {label}: {results[label]}", flush=True)
    cmd = f"{PY} -m bench startup --items {n}"
    for label, what in (("rebuild", "without a cached index (rebuilt from stored embeddings)"),
                        ("cached", "with a cached index")):
        r = results[label]
        rows.append(Row(
            "startup", f"start-up, {n:,} open reports, {what}",
            f"{r['_wall_s']} s from launch to ready (start_core {r['start_core_s']} s: "
            f"migrations, model load, index); peak RSS {r['peak_rss_mb']:.0f} MB",
            cmd, "<= 10 s with a cached index" if label == "cached" else "",
            verdict(r["_wall_s"], TARGET_CACHED_S, "s") if label == "cached" else "", r))
    return rows


def main(argv: list[str] | None = None) -> list[Row] | None:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        url, index_dir, started = args.worker
        print(json.dumps(worker(url, index_dir, int(started))))
        return None
    return run(args.items)


if __name__ == "__main__":
    main()
