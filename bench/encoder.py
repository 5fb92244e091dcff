"""Encoding: throughput and single-query latency, and the options for a faster serving encoder.

Each variant runs in its own process (thread settings are process-wide in PyTorch), measures
- single-query latency: one lost report at a time, as `encode_async` does for a lone report;
- throughput: sentences per second encoding found reports in batches of 64;
- quality: top-1 (and top-3, MRR@10) on data/eval with the evaluation's own ranking code
  (training/evaluate.py: the 30 nearest by cosine re-scored in full, given categories), so the
  numbers are the ones `hoyamu evaluate --compare none` prints for the same vectors.

Variants: "plain" = the plain PyTorch model (SentenceTransformer.encode, torch's default
threads); "serving" = matcher.encoder.Encoder as configured (ENCODER_BACKEND, ENCODE_THREADS);
the others are the options measured for the serving encoder.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from bench.common import PY, Row, peak_rss_mb, percentiles, rss_mb, run_json
from bench.vectors import found_reports, lost_reports, serving_model_path

VARIANTS = {
    "plain": "PyTorch fp32, SentenceTransformer.encode, torch default threads (2)",
    "serving": "serving Encoder as configured (ENCODER_BACKEND, ENCODE_THREADS)",
    "torch-1t": "PyTorch fp32, 1 thread",
    "torch-int8-1t": "PyTorch dynamic int8 (torch.ao quantize_dynamic, Linear layers), 1 thread",
    "onnx": "ONNX Runtime fp32, 2 threads",
    "onnx-seq64": "ONNX Runtime fp32, 1 thread, max_seq_length 64",
    "onnx-int8-1t": "ONNX Runtime dynamic int8 (MatMul weights), 1 thread",
}
QUALITY_BAR = 0.01  # a faster option is kept only if eval top-1 drops by no more than this


class _EvalModel:
    """What training/evaluate.model_ranker needs: encode(texts, prompt=..., ...)."""

    def __init__(self, encode) -> None:
        self._encode = encode

    def encode(self, texts, prompt: str = "", **_: object) -> np.ndarray:
        return self._encode(list(texts), prompt)


def _make(variant: str, path: Path):
    """(encode(texts, prompt) -> normalised vectors, description)."""
    if variant == "serving":
        from matcher.encoder import Encoder

        encoder = Encoder(path)
        kinds = {"query: ": "lost", "passage: ": "found"}

        def serving(texts, prompt):
            return encoder.encode(kinds[prompt], texts)

        return serving, f"{VARIANTS[variant]}: {encoder.describe()}"
    if variant.startswith("onnx"):
        from matcher.encoder import Encoder, OnnxSentenceModel

        threads = 2 if variant == "onnx" else 1
        if variant.startswith("onnx-int8"):
            from bench.onnx_model import quantized_file

            model = OnnxSentenceModel(path, 128, threads, graph=quantized_file(path))

            def run_int8(texts, prompt):
                return model.encode(texts, prompt)

            return run_int8, VARIANTS[variant]
        encoder = Encoder(path, backend="onnx", threads=threads,
                          max_seq_length=64 if variant == "onnx-seq64" else 128)
        kinds = {"query: ": "lost", "passage: ": "found"}

        def run_onnx(texts, prompt):
            return encoder.encode(kinds[prompt], texts)

        return run_onnx, f"{VARIANTS[variant]} ({encoder.describe()})"
    import torch
    from sentence_transformers import SentenceTransformer

    if variant.endswith("-1t"):
        torch.set_num_threads(1)
    model = SentenceTransformer(str(path), device="cpu")
    model.max_seq_length = 128
    model.eval()
    if variant.startswith("torch-int8"):
        model[0].auto_model = torch.ao.quantization.quantize_dynamic(
            model[0].auto_model, {torch.nn.Linear}, dtype=torch.qint8)

    def run_torch(texts, prompt):
        return np.asarray(model.encode(texts, prompt=prompt, batch_size=32,
                                       normalize_embeddings=True, convert_to_numpy=True,
                                       show_progress_bar=False), dtype=np.float32)

    return run_torch, VARIANTS[variant]


def _onnx_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) for m in ("onnxruntime", "onnx"))


def evaluate_quality(encode, path: Path) -> dict:
    from hoyamu.settings import Settings
    from matcher.scoring import Calibration
    from training.evaluate import evaluate_system, load_eval_set, model_ranker

    root = Path(__file__).resolve().parent.parent
    settings = Settings(_env_file=None)
    data = load_eval_set(root / "data/eval/corpus.jsonl", root / "data/eval/queries.jsonl",
                         root / "data/eval/nomatch.jsonl")
    ranker = model_ranker(_EvalModel(encode), Calibration.load(path), data.corpus,
                          settings.weights, True)
    result = evaluate_system(data, ranker, True, settings.display_threshold,
                             settings.notify_threshold)
    return {k: result[k] for k in ("top1", "top3", "mrr10", "recall_display",
                                   "nomatch_fpr_display")}


def measure(variant: str, single_n: int, batch_n: int, quality: bool) -> dict:
    path = serving_model_path()
    t0 = time.perf_counter()
    encode, description = _make(variant, path)
    load_s = time.perf_counter() - t0
    queries = [r.text for r in lost_reports(single_n + 10)]
    for text in queries[:10]:
        encode([text], "query: ")
    times = []
    for text in queries[10:]:
        started = time.perf_counter()
        encode([text], "query: ")
        times.append((time.perf_counter() - started) * 1000)
    texts = [r.text for r in found_reports(batch_n)]
    encode(texts[:64], "passage: ")
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        encode(texts[start:start + 64], "passage: ")
    throughput = len(texts) / (time.perf_counter() - started)
    result = {"variant": variant, "description": description, "load_s": round(load_s, 2),
              "single": percentiles(times), "throughput": round(throughput, 1),
              "rss_mb": rss_mb()}
    if quality:
        result["quality"] = evaluate_quality(encode, path)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def baseline_cli(out: Path) -> dict:
    """`hoyamu evaluate --compare none --json OUT` for the serving model (plain PyTorch)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    hoyamu = Path(sys.executable).with_name("hoyamu")
    subprocess.run([str(hoyamu), "evaluate", "--compare", "none", "--json", str(out)], cwd=root,
                   check=True, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    data = json.loads(out.read_text())
    return {k: data[k] for k in ("top1", "top3", "mrr10")} | {"model": data.get("model")}


def run(variants: list[str], single_n: int, batch_n: int, quality: bool) -> list[Row]:
    results = {}
    for variant in variants:
        if variant.startswith("onnx") and not _onnx_available():
            print(f"  {variant}: skipped (pip install onnxruntime onnx to measure it)")
            continue
        results[variant] = run_json(["-m", "bench.encoder", "--worker", variant, "--single",
                                     str(single_n), "--batch", str(batch_n)]
                                    + ([] if quality else ["--no-quality"]))
        r = results[variant]
        print(f"  {variant:14} single p50 {r['single']['p50']} ms p95 {r['single']['p95']} ms, "
              f"{r['throughput']} sent/s, top-1 {r.get('quality', {}).get('top1')}", flush=True)
    cli = None
    if quality:
        out = Path(__file__).resolve().parent.parent / "data" / "bench" / "eval-baseline.json"
        cli = baseline_cli(out)
    base_top1 = results.get("plain", {}).get("quality", {}).get("top1")
    rows = []
    cmd = f"{PY} -m bench encoder --single {single_n} --batch {batch_n} --variants"
    for variant, r in results.items():
        q = r.get("quality", {})
        drop = None if base_top1 is None or "top1" not in q else round(base_top1 - q["top1"], 4)
        verdict = ""
        if drop is not None and variant != "plain":
            verdict = (f"quality ok (top-1 {q['top1']} vs {base_top1}, drop {drop})"
                       if drop <= QUALITY_BAR else
                       f"REJECTED: top-1 {q['top1']} vs {base_top1} (drop {drop} > {QUALITY_BAR})")
        rows.append(Row(
            "encoder", f"encoder: {r['description']}",
            f"single query p50 {r['single']['p50']} ms, p95 {r['single']['p95']} ms; "
            f"{r['throughput']} sentences/s (batch 64); eval top-1 {q.get('top1', '-')}; "
            f"RSS {r['rss_mb']:.0f} MB; load {r['load_s']} s",
            f"{cmd} {variant}", "top-1 drop <= 0.01" if variant not in ("plain",) else "",
            verdict, r))
    if cli is not None:
        rows.append(Row("encoder", "eval top-1 of the serving model, `hoyamu evaluate`",
                        f"top-1 {cli['top1']}, top-3 {cli['top3']}, MRR@10 {cli['mrr10']} "
                        f"({cli['model']})",
                        ".venv/bin/hoyamu evaluate --compare none --json data/bench/"
                        "eval-baseline.json", data=cli))
    return rows


def main(argv: list[str] | None = None) -> list[Row] | None:
    parser = argparse.ArgumentParser(prog="python -m bench encoder")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--single", type=int, default=150, help="single-query encodes timed")
    parser.add_argument("--batch", type=int, default=1024, help="texts for the throughput run")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args.single, args.batch, not args.no_quality)))
        return None
    return run(args.variants, args.single, args.batch, not args.no_quality)


if __name__ == "__main__":
    main()

