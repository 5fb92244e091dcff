"""Command-line glue for `hoyamu train` and `hoyamu evaluate`: arguments in, plain values from
the entry point (cli/main.py reads the settings), results printed."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from matcher.store import ModelStore


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    from training.train import RECIPES, TrainConfig

    defaults = TrainConfig()
    parser.add_argument("--pairs", type=Path, nargs="+",
                        help="training pairs files (default: TEXT_PAIRS_PATH and FEEDBACK_PAIRS_PATH)")
    parser.add_argument("--recipe", choices=RECIPES, default=defaults.recipe,
                        help="how the base model's strengths are kept (docs/EVALUATION.md)")
    parser.add_argument("--alpha", type=float, default=defaults.alpha,
                        help="wise-ft: share of the fine-tuned weights (0 = base, 1 = fine-tuned)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--max-seq-length", type=int, default=defaults.max_seq_length)
    parser.add_argument("--max-steps", type=int, default=-1, help="stop early (smoke runs)")
    parser.add_argument("--no-freeze", action="store_true", help="also train token embeddings")
    parser.add_argument("--freeze-layers", type=int, default=defaults.freeze_layers,
                        help="lower transformer layers to keep frozen")
    parser.add_argument("--no-fold", action="store_true", help="do not fold feedback first")
    parser.add_argument("--force", action="store_true", help="promote even if not better")


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=Path("data/eval/corpus.jsonl"))
    parser.add_argument("--queries", type=Path, default=Path("data/eval/queries.jsonl"))
    parser.add_argument("--nomatch", type=Path, default=Path("data/eval/nomatch.jsonl"))
    parser.add_argument("--model", default="current", help="current | base | a model folder")
    parser.add_argument("--compare", default="bm25,base", help="baselines: bm25, base (or none)")
    parser.add_argument("--categories", choices=["given", "detected"], default="given",
                        help="use the sets' categories (as users confirm them) or detect them")
    parser.add_argument("--scoring", choices=["both", "learned", "blend"], default="both",
                        help="which scorers to report for the model and the base model")
    parser.add_argument("--json", type=Path, dest="json_out")
    parser.add_argument("--plot", type=Path)


def train_command(args: argparse.Namespace, store: ModelStore, pairs_paths: list[Path],
                  fold: Callable[[], int]) -> int:
    """`fold` folds the students' verified feedback into its pairs file (skipped with
    --no-fold); training reads `pairs_paths` (the seed, then the feedback pairs)."""
    from training.pairs import PairsError
    from training.train import TrainConfig, TrainingError, train

    pairs = args.pairs or list(pairs_paths)
    if not args.no_fold:
        added = fold()
        print(f"folded feedback: {added} new pairs")
    config = TrainConfig(recipe=args.recipe, alpha=args.alpha, epochs=args.epochs,
                         batch_size=args.batch_size, learning_rate=args.lr,
                         max_seq_length=args.max_seq_length, max_steps=args.max_steps,
                         freeze_embeddings=not args.no_freeze, freeze_layers=args.freeze_layers)
    try:
        result = train(pairs, store, config, progress=lambda r: print(r.line(), flush=True),
                       force=args.force)
    except (PairsError, TrainingError) as exc:
        print(f"training failed, nothing changed: {exc}", file=sys.stderr)
        return 1
    print(f"model {result.version} in {result.path} ({result.seconds:.0f} s)")
    print(f"held-out top-1 {result.before['top1']:.3f} -> {result.after['top1']:.3f} "
          f"(base {result.base['top1']:.3f})")
    for style, figures in result.after["by_style"].items():
        print(f"  {style:<9} {figures['top1']:.3f}  (current "
              f"{result.before['by_style'].get(style, {}).get('top1', 0):.3f}, base "
              f"{result.base['by_style'].get(style, {}).get('top1', 0):.3f}, n={figures['n']})")
    print(f"canaries: {result.canaries['checked'] - result.canaries['failed']}/"
          f"{result.canaries['checked']} hold")
    print(f"{'promoted' if result.promoted else 'NOT promoted'}: {result.reason}")
    return 0


def _resolve_model(name: str, store: ModelStore) -> Path:
    if name == "current":
        return store.current_path()
    if name == "base":
        return store.base_path()
    return Path(name)


def evaluate_command(args: argparse.Namespace, store: ModelStore, max_seq_length: int,
                     weights: tuple[float, float, float], display: float, notify: float) -> int:
    from sentence_transformers import SentenceTransformer

    from matcher.encoder import model_version_of
    from matcher.ranking import Ranking
    from matcher.scorer import load_scorer
    from matcher.scoring import Calibration
    from training.evaluate import (
        EncodedCorpus,
        bm25_ranker,
        evaluate_system,
        latency_summary,
        load_eval_set,
        model_ranker,
        plot_scores,
    )

    data = load_eval_set(args.corpus, args.queries, args.nomatch)
    given = args.categories == "given"
    scorings = ["learned", "blend"] if args.scoring == "both" else [args.scoring]
    systems: dict[str, dict] = {}
    latencies: list[float] = []

    def run_model(label: str, path: Path, timed: bool) -> None:
        model = SentenceTransformer(str(path), device="cpu")
        model.max_seq_length = max_seq_length
        encoded = EncodedCorpus(model, data.corpus, given)
        version = model_version_of(path)
        scorer = load_scorer(path, version)
        for mode in scorings:
            ranking = Ranking(Calibration.load(path), weights, scorer, mode)
            result = evaluate_system(data, model_ranker(
                encoded, ranking, latencies if timed and mode == scorings[0] else None),
                given, display, notify)
            result["model"] = version
            result["scoring"] = "learned" if ranking.learned else "blend"
            if mode == "learned" and not ranking.learned:
                print(f"{version} has no scorer: 'learned' is the blend", file=sys.stderr)
            systems[f"{label} {mode}"] = result

    model_path = _resolve_model(args.model, store)
    run_model("model", model_path, timed=True)
    for name in [n.strip() for n in args.compare.split(",") if n.strip() and n != "none"]:
        if name == "bm25":
            systems["bm25"] = evaluate_system(data, bm25_ranker(data.corpus), given, display,
                                              notify)
        elif name == "base":
            run_model("base", store.base_path(), timed=False)
        else:
            print(f"unknown baseline {name!r} (use bm25, base)", file=sys.stderr)
            return 2
    results = {"model": model_version_of(model_path), "categories": args.categories,
               "systems": systems,
               "latency": latency_summary(latencies)}
    print_table(results)
    if args.plot:
        plot_scores(results, args.plot, display, notify)
        print(f"plot: {args.plot}")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(f"json: {args.json_out}")
    return 0


def _with_ci(res: dict, key: str, ci: list | None = None) -> str:
    value = res.get(key)
    if isinstance(value, dict):
        value = value.get("top1")
    ci = ci if ci is not None else res.get("ci", {}).get(key)
    if value is None:
        return "-"
    return f"{value:.3f}" + (f" [{ci[0]:.2f},{ci[1]:.2f}]" if ci else "")


def print_table(results: dict) -> None:
    """Every system: the headline rates with 95% bootstrap intervals, then per style."""
    systems = results["systems"]
    keys = ["top1", "top3", "mrr10", "recall_display", "nomatch_fpr_display",
            "heldout_fpr_display", "recall_notify", "nomatch_fpr_notify", "heldout_fpr_notify"]
    print(f"model {results['model']}, categories {results['categories']}")
    print(f"{'system':<16}" + "".join(f"{k:>22}" for k in keys))
    for name, res in systems.items():
        print(f"{name:<16}" + "".join(f"{_with_ci(res, k):>22}" for k in keys))
    langs = sorted({lang for res in systems.values() for lang in res["by_lang"]})
    print(f"\n{'top-1':<16}" + "".join(f"{lang:>22}" for lang in langs)
          + f"{'same':>22}{'cross':>22}")
    for name, res in systems.items():
        ci = res.get("ci", {})
        row = "".join(f"{_with_ci(res['by_lang'].get(lang, {}), 'top1', ci.get('by_lang', {}).get(lang)):>22}"
                      for lang in langs)
        print(f"{name:<16}{row}{_with_ci(res, 'same_lang', ci.get('same_lang')):>22}"
              f"{_with_ci(res, 'cross_lang', ci.get('cross_lang')):>22}")
    if results.get("latency"):
        print(f"\nper-query latency (encode + rank + score): {results['latency']}")
