"""Speed of the attribute reader: `python -m bench.attributes [--json]`.

Reads every text of data/text_pairs.json (anchors, positives, negatives; all four styles):

- new text: `read_facts` on a text it has not seen, word-level caches as a running process has
  them (the romanizer and the lexicon remember words, not texts);
- cold: the same after clearing every cache first (the very first report after start-up; the
  romanizer's one-off import is measured apart);
- cached: `read_facts` on a text seen before (what ranking 30 candidates costs per candidate);
- compare: `compare` of one lost report with 30 found reports, first time and cached.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.common import ROOT, Row

PAIRS = ROOT / "data" / "text_pairs.json"


def _texts() -> list[str]:
    rows = json.loads(Path(PAIRS).read_text())
    texts = [r[k] for r in rows for k in ("anchor", "positive", "negative") if r.get(k)]
    return list(dict.fromkeys(texts))


def _clear_all() -> None:
    from matcher import attributes, lexicon, romanize

    for fn in (attributes.read_facts, attributes.compare, lexicon._analyse, lexicon._public_hits,
               lexicon._lookup, lexicon._lookup_phrase, lexicon._unglue, lexicon._sinhala_stems,
               lexicon._fold, romanize.sound_key):
        fn.cache_clear()
    romanize._CACHE.clear()


def _stats(values_s: list[float]) -> dict:
    ms = sorted(v * 1000 for v in values_s)
    return {"n": len(ms), "mean_ms": round(statistics.fmean(ms), 4),
            "p50_ms": round(ms[len(ms) // 2], 4), "p95_ms": round(ms[int(len(ms) * 0.95)], 4),
            "max_ms": round(ms[-1], 3)}


def measure() -> dict:
    started = time.perf_counter()
    from matcher.romanize import romanize

    romanize("කසුන්")  # the romanizer's import and first call
    import_s = time.perf_counter() - started
    from matcher.attributes import compare, read_facts

    texts = _texts()
    _clear_all()
    romanize("කසුන්")
    new = []
    for text in texts:
        t = time.perf_counter()
        read_facts(text)
        new.append(time.perf_counter() - t)
    cached = []
    for _ in range(5):
        for text in texts:
            t = time.perf_counter()
            read_facts(text)
            cached.append(time.perf_counter() - t)
    cold = []
    for text in texts[::5]:
        _clear_all()
        romanize("කසුන්")
        t = time.perf_counter()
        read_facts(text)
        cold.append(time.perf_counter() - t)
    _clear_all()
    first_compare, cached_compare = [], []
    for i in range(0, len(texts) - 31, 31):
        lost = read_facts(texts[i])
        found = [read_facts(t) for t in texts[i + 1 : i + 31]]
        t = time.perf_counter()
        for f in found:
            compare(lost, f)
        first_compare.append(time.perf_counter() - t)
        t = time.perf_counter()
        for f in found:
            compare(lost, f)
        cached_compare.append(time.perf_counter() - t)
    return {"texts": len(texts), "romanizer_start_s": round(import_s, 3),
            "new_text": _stats(new), "cold": _stats(cold), "cached": _stats(cached),
            "compare_30_first": _stats(first_compare), "compare_30_cached": _stats(cached_compare)}


def main(args: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(prog="python -m bench.attributes")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(args)
    result = measure()
    command = "python -m bench.attributes"
    rows = [
        Row("attributes", "read_facts, new text (p50 / p95)",
            f"{result['new_text']['p50_ms']} / {result['new_text']['p95_ms']} ms", command,
            "a few ms", data=result),
        Row("attributes", "read_facts, all caches cold (p50 / p95)",
            f"{result['cold']['p50_ms']} / {result['cold']['p95_ms']} ms", command),
        Row("attributes", "read_facts, cached (mean)", f"{result['cached']['mean_ms']} ms",
            command, "< 0.1 ms"),
        Row("attributes", "compare, 30 candidates (first / cached, p50)",
            f"{result['compare_30_first']['p50_ms']} / {result['compare_30_cached']['p50_ms']} ms",
            command),
    ]
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        for row in rows:
            print(f"{row.what:50} {row.figures}")
        print(f"romanizer import + first call: {result['romanizer_start_s']} s; "
              f"{result['texts']} texts from data/text_pairs.json")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
