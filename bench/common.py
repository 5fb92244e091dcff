"""Shared helpers: result rows, percentiles, memory, machine description."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ".venv/bin/python"


@dataclass
class Row:
    """One line of the results table."""

    section: str
    what: str
    figures: str
    command: str
    target: str = ""
    verdict: str = ""
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def percentiles(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    if not ordered:
        return {"n": 0}
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 2),
            "mean": round(statistics.fmean(ordered), 2), "max": round(ordered[-1], 2)}


def verdict(value: float, limit: float, unit: str, higher_is_better: bool = False) -> str:
    """"met (x under)" or "MISSED by x" for a target `value <= limit` (or >= when higher)."""
    good = value >= limit if higher_is_better else value <= limit
    gap = abs(value - limit)
    if good:
        return f"met ({gap:.3g} {unit} to spare)"
    return f"MISSED by {gap:.3g} {unit} ({100 * gap / limit:.0f}%)"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    try:
        import psutil

        return round(psutil.Process().memory_info().rss / 2**20, 1)
    except ImportError:  # pragma: no cover - psutil comes with accelerate
        return peak_rss_mb()


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    versions = {}
    for name in ("torch", "faiss", "sentence_transformers", "transformers", "numpy",
                 "onnxruntime", "telegram", "sqlalchemy"):
        try:
            module = __import__(name)
            versions[name] = getattr(module, "__version__", "?")
        except ImportError:
            versions[name] = "not installed"
    try:
        from bench.vectors import serving_model_path
        from matcher.encoder import model_version_of

        model = model_version_of(serving_model_path())
    except Exception:  # noqa: BLE001 - informative only
        model = "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "model": model,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "versions": versions,
            "load_average": load_average(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def run_json(args: list[str], timeout: float | None = None, env: dict | None = None) -> dict:
    """Run `python -m ...` in a fresh process; its last stdout line is JSON."""
    merged = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
              "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=merged, capture_output=True,
                          text=True, timeout=timeout)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    result = json.loads(lines[-1])
    result["_wall_s"] = round(wall, 2)
    return result
