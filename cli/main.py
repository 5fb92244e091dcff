"""`hoyamu` command line: run the bot, add/search reports, reindex, stats, train, evaluate.

An entry point (like `bot/` and `api/`): it reads the settings and hands plain values to the
libraries; `python -m cli ...` runs it without the installed script."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no model-conversion bars at start

from hoyamu.logging_setup import setup_logging  # noqa: E402
from hoyamu.settings import Settings, get_settings  # noqa: E402
from matcher.index import KINDS  # noqa: E402


def _match_json(view) -> dict:
    item, parts = view.item, view.parts
    return {"id": item.external_id or str(item.id), "kind": item.kind, "text": item.text,
            "category": item.category, "score": parts.score, "tier": parts.tier,
            "cosine": parts.cosine, "parts": {"semantic": parts.semantic,
                                              "keyword": parts.keyword, "category": parts.category}}


def _print_matches(views: list, as_json: bool) -> None:
    if as_json:
        print(json.dumps([_match_json(v) for v in views], ensure_ascii=False, indent=2))
        return
    if not views:
        print("No match at or above the display threshold.")
    for rank, view in enumerate(views, 1):
        p = view.parts
        print(f"{rank}. [{p.score:5.1f} {p.tier}] #{view.item.id} {view.item.category}: "
              f"{view.item.text}")
        print(f"   cosine {p.cosine:.3f} | semantic {p.semantic} keyword {p.keyword} "
              f"category {p.category}")


async def _with_core(settings: Settings, work: Callable[..., Awaitable[int]]) -> int:
    from hoyamu.core import start_core

    core = await start_core(settings)
    try:
        return await work(core)
    finally:
        await core.close()


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from hoyamu.reports import ReportInput

    async def work(core) -> int:
        result = await core.reports.report(ReportInput(kind=args.kind, text=args.text,
                                                       category=args.category, place=args.place))
        if args.json:
            print(json.dumps({"id": result.item.id, "category": result.item.category,
                              "matches": [_match_json(v) for v in result.matches]},
                             ensure_ascii=False, indent=2))
        else:
            print(f"Stored {args.kind} report #{result.item.id} ({result.item.category}).")
            _print_matches(result.matches, False)
        return 0

    return asyncio.run(_with_core(settings, work))


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    async def work(core) -> int:
        views = await core.reports.search(args.text, kind=args.kind, limit=args.limit,
                                          min_score=0.0 if args.all else None)
        _print_matches(views, args.json)
        return 0

    return asyncio.run(_with_core(settings, work))


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    async def work(core) -> int:
        size = await core.serving.reindex()
        print(f"Index rebuilt: {size} open items ({core.serving.runtime.version}).")
        return 0

    return asyncio.run(_with_core(settings, work))


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    async def work(core) -> int:
        stats = await core.stats.stats()
        if args.json:
            print(json.dumps(stats, indent=2))
        else:
            for key, value in stats.items():
                print(f"{key:>16}: {value}")
        return 0

    return asyncio.run(_with_core(settings, work))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.main import run_bot

    return run_bot(settings, console=args.console)


def cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    from api.app import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from hoyamu.core import model_store
    from training.cli import train_command
    from training.fold import fold_feedback_sync

    return train_command(args, model_store(settings),
                         [settings.text_pairs_path, settings.feedback_pairs_path],
                         fold=lambda: fold_feedback_sync(settings.database_url,
                                                         settings.text_pairs_path,
                                                         settings.feedback_pairs_path,
                                                         settings.eval_dirs))


def cmd_fold(args: argparse.Namespace, settings: Settings) -> int:
    from training.fold import fold_feedback_sync

    added = fold_feedback_sync(settings.database_url, settings.text_pairs_path,
                               settings.feedback_pairs_path, settings.eval_dirs)
    print(f"Folded verified feedback into {settings.feedback_pairs_path}: {added} new pairs.")
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from hoyamu.core import model_store
    from training.calibrate import recalibrate

    store = model_store(settings)
    path = store.current_path() if args.model == "current" else store.path_of(args.model)
    report = recalibrate(path, args.pairs or settings.text_pairs_path)
    print(json.dumps(report, indent=2))
    return 0


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from hoyamu.core import model_store
    from training.cli import evaluate_command

    return evaluate_command(args, model_store(settings), settings.max_seq_length,
                            settings.weights, settings.display_threshold,
                            settings.notify_threshold)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from hoyamu.backup import BackupError, backup

    try:
        folder = backup(settings, args.dest)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Backup written to {folder}")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from hoyamu.backup import BackupError, restore

    try:
        manifest = restore(settings, args.folder)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Restored the backup of {manifest['created']} ({', '.join(manifest['files'])}); "
          "the index is rebuilt at the next start.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoyamu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the Telegram bot (console chat without a token)")
    run.add_argument("--console", action="store_true", help="force the local console chat")
    run.set_defaults(func=cmd_run)

    add = sub.add_parser("add", help="store a report and show its matches")
    add.add_argument("text")
    add.add_argument("--kind", choices=KINDS, required=True)
    add.add_argument("--category")
    add.add_argument("--place")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_add)

    search = sub.add_parser("search", help="search open reports without storing anything")
    search.add_argument("text")
    search.add_argument("--kind", choices=KINDS, default="lost",
                        help="what the text describes: lost searches found items (default)")
    search.add_argument("--limit", type=int, default=3)
    search.add_argument("--all", action="store_true", help="show candidates below the threshold")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    api = sub.add_parser("api", help="serve the HTTP API (every route but /health needs a key "
                         "from API_KEYS)")
    api.add_argument("--host", help="address to listen on (default API_HOST, 127.0.0.1)")
    api.add_argument("--port", type=int, help="port (default API_PORT, 8000)")
    api.set_defaults(func=cmd_api)
    sub.add_parser("reindex", help="rebuild the index from the database").set_defaults(
        func=cmd_reindex)
    backup = sub.add_parser("backup", help="copy the database, text_pairs.json and the model "
                            "pointer into data/backups/<time>/")
    backup.add_argument("--dest", help="folder to put the backup folder in (default "
                        "DATA_DIR/backups)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="bring back a backup folder (stop the bot first)")
    restore.add_argument("folder")
    restore.set_defaults(func=cmd_restore)
    stats = sub.add_parser("stats", help="counts of reports, matches and feedback")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    from training.cli import add_evaluate_arguments, add_train_arguments

    add_train_arguments(sub.add_parser("train", help="fine-tune on data/text_pairs.json"))
    sub.choices["train"].set_defaults(func=cmd_train)
    sub.add_parser("fold-feedback", help="add 👍/👎 and returned items to text_pairs.json"
                   ).set_defaults(func=cmd_fold)
    calibrate = sub.add_parser("calibrate", help="refit a model's score calibration")
    calibrate.add_argument("--model", default="current", help="current or a version name")
    calibrate.add_argument("--pairs", type=Path)
    calibrate.set_defaults(func=cmd_calibrate)
    add_evaluate_arguments(sub.add_parser("evaluate", help="evaluate on a held-out set"))
    sub.choices["evaluate"].set_defaults(func=cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    setup_logging(settings.log_level)
    from hoyamu.validation import InvalidInput
    from matcher.encoder import ModelLoadError

    try:
        return args.func(args, settings)
    except InvalidInput as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except ModelLoadError as exc:
        logging.getLogger("hoyamu").error("%s", exc)
        print(f"error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
