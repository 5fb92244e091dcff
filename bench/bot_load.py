"""The bot end to end: N students report at once through the real Application.

Only Telegram's network is fake (bot/local_api.py, as in tests/auxil/bot.py); the handlers,
service, SQLite database (a temporary file, WAL), model and FAISS index are the real ones. The
database starts with open reports (half lost, half found, with stored embeddings) so every new
report is really matched.

Each student walks the whole report conversation with the buttons a student would press:
/lost (or /found) -> description -> skip place -> today -> skip photo -> category ok ->
(found: skip the question) -> submit. "Time to reply" is from handing the submit update to the
application until its last reply was sent (the matches, or the finder's "owners notified").
Two runs:
- paced: every student starts a report every N/rate seconds (an offered load of `rate` reports
  a second in total): does the bot keep up, and how long do students wait?
- saturated: every student starts the next report as soon as the last one is answered: the
  most reports a second the bot can take.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import PY, Row, peak_rss_mb, percentiles, rss_mb, run_json, verdict
from bench.items import ReportGenerator
from bench.vectors import (
    ROOT,
    cached_vectors,
    found_reports,
    lost_reports,
    query_vectors,
    real_vectors,
    serving_model_path,
)

TARGET_RATE = 20.0
TARGET_P95_MS = 1000.0
TARGET_RSS_MB = 1536.0


class Students:
    def __init__(self, app, api) -> None:
        from bot.local_api import UpdateFactory

        self.app = app
        self.api = api
        self.factory = UpdateFactory()
        self.sent: dict[int, list] = defaultdict(list)
        api.on_call = self._route
        self.errors: list[str] = []

    def _route(self, call) -> None:
        if call.chat_id is not None:
            self.sent[call.chat_id].append(call)

    async def feed(self, update: dict) -> None:
        from telegram import Update

        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def send(self, user: dict, text: str) -> None:
        await self.feed(self.factory.message(user, text=text))

    async def press(self, user: dict, wanted: str) -> None:
        for call in reversed(self.sent[user["id"]]):
            for _label, data in call.buttons:
                if data.startswith(wanted):
                    await self.feed(self.factory.callback(user, data, call))
                    return
        raise RuntimeError(f"no {wanted!r} button for student {user['id']}")

    async def report(self, user: dict, kind: str, text: str) -> float:
        """One whole report; returns the time to reply to the submit, in ms."""
        await self.send(user, f"/{kind}")
        await self.send(user, text)
        await self.press(user, "skip")  # place
        await self.press(user, "when:today")
        await self.press(user, "skip")  # photo
        await self.press(user, "cat:ok")
        if kind == "found":
            await self.press(user, "skip")  # verification question
        before = len(self.sent[user["id"]])
        started = time.perf_counter()
        await self.press(user, "confirm:yes")
        elapsed = (time.perf_counter() - started) * 1000
        if len(self.sent[user["id"]]) <= before:
            self.errors.append(f"no reply to {user['id']}")
        return elapsed


async def load_run(students: Students, n: int, per_student: int, rate: float | None,
                   first_id: int, seed: int) -> dict:
    """n students, per_student reports each; paced at `rate` reports/s in total, or flat out."""
    generator = ReportGenerator(seed)
    interval = n / rate if rate else 0.0
    reply_ms: list[float] = []
    flows_ms: list[float] = []
    started = time.perf_counter()

    async def one(number: int) -> None:
        from bot.local_api import UpdateFactory

        user = UpdateFactory.user(first_id + number, f"Student{number}")
        for round_ in range(per_student):
            if rate:
                due = started + (number / n + round_) * interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            kind = "lost" if (number + round_) % 2 == 0 else "found"
            report = generator.next(kind)
            flow_started = time.perf_counter()
            reply_ms.append(await students.report(user, kind, report.text))
            flows_ms.append((time.perf_counter() - flow_started) * 1000)

    await asyncio.gather(*(one(i) for i in range(n)))
    wall = time.perf_counter() - started
    return {"students": n, "reports": n * per_student, "offered_rate": rate,
            "wall_s": round(wall, 2), "reports_per_s": round(n * per_student / wall, 2),
            "reply": percentiles(reply_ms), "flow": percentiles(flows_ms)}


async def run_async(n: int, per_student: int, rate: float, seed_items: int,
                    saturated: bool) -> dict:
    from bench.seed import seed
    from bot.app import build_application
    from bot.local_api import LOCAL_TOKEN, LocalBotAPI
    from hoyamu.core import start_core
    from hoyamu.settings import Settings
    from matcher.encoder import model_version_of

    logging.getLogger("httpx").setLevel(logging.WARNING)
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="hoyamu-bench-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp}/hoyamu.db", data_dir=tmp,
            models_dir=ROOT / "data" / "models", index_dir=tmp / "indices",
            text_pairs_path=tmp / "text_pairs.json", base_model="bundled",
            reports_per_hour=100_000, telegram_bot_token=None)
        if seed_items:
            # vectors from the cache the parent process filled: this process loads one model
            version = model_version_of(serving_model_path())
            half = seed_items // 2
            found_vecs = cached_vectors(version, "found", half)
            lost_vecs = cached_vectors(version, "lost", half)
            result["seed_s"] = round(await seed(
                settings.database_url, version, lost_reports(half), lost_vecs,
                found_reports(half), found_vecs), 2)
        started = time.perf_counter()
        core = await start_core(settings)
        result["start_s"] = round(time.perf_counter() - started, 2)
        result["index_size"] = core.serving.runtime.index.size()
        api = LocalBotAPI()
        app = build_application(core, LOCAL_TOKEN, request=api, rate_limit=False)
        await app.initialize()
        students = Students(app, api)
        try:
            # warm-up: a few reports so that lazy imports and caches do not count
            await load_run(students, 4, 1, None, 10_000, seed=99)
            result["paced"] = await load_run(students, n, per_student, rate, 20_000, seed=1)
            print(f"  paced {rate:g}/s: {result['paced']}", flush=True)
            if saturated:
                result["saturated"] = await load_run(students, n, per_student, None, 40_000,
                                                     seed=2)
                print(f"  saturated: {result['saturated']}", flush=True)
        finally:
            await app.shutdown()
            await core.close()
        result["errors"] = students.errors[:10]
        result["error_count"] = len(students.errors)
        result["api_calls"] = len(api.calls)
    result["rss_mb"] = rss_mb()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def rows_from(result: dict, n: int, per_student: int, rate: float, seed_items: int) -> list[Row]:
    cmd = (f"{PY} -m bench bot --students {n} --per-student {per_student} --rate {rate} "
           f"--seed-items {seed_items}")
    paced = result["paced"]
    rows = [Row(
        "bot", f"bot end to end, {n} students, offered {rate:g} reports/s, "
        f"{seed_items:,} open reports",
        f"{paced['reports_per_s']} reports/s over {paced['reports']} reports; time to reply p50 "
        f"{paced['reply']['p50']} ms, p95 {paced['reply']['p95']} ms; whole report "
        f"(8 updates) p50 {paced['flow']['p50']} ms; errors {result['error_count']}",
        cmd, ">= 20 reports/s, p95 < 1 s at 50 students",
        f"rate {verdict(paced['reports_per_s'], TARGET_RATE, 'reports/s', True)}; p95 "
        f"{verdict(paced['reply']['p95'], TARGET_P95_MS, 'ms')}"
        if n >= 50 and rate >= TARGET_RATE else "not judged: a smaller load than the target's",
        result)]
    if "saturated" in result:
        sat = result["saturated"]
        rows.append(Row(
            "bot", f"bot end to end, {n} students, flat out (saturated)",
            f"{sat['reports_per_s']} reports/s over {sat['reports']} reports; time to reply p50 "
            f"{sat['reply']['p50']} ms, p95 {sat['reply']['p95']} ms",
            cmd + " --saturated", "", ""))
    rows.append(Row(
        "memory", "serving peak RSS (bot process after the load runs)",
        f"{result['peak_rss_mb']:.0f} MB (model, {result['index_size']:,}-item index, "
        "application, SQLite)", cmd, "<= 1.5 GB",
        verdict(result["peak_rss_mb"], TARGET_RSS_MB, "MB")))
    return rows


def main(argv: list[str] | None = None) -> list[Row] | None:
    parser = argparse.ArgumentParser(prog="python -m bench bot")
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--per-student", type=int, default=6)
    parser.add_argument("--rate", type=float, default=22.0,
                        help="offered reports/s in the paced run (10%% over the target)")
    parser.add_argument("--seed-items", type=int, default=4000)
    parser.add_argument("--saturated", action="store_true", help="also run flat out")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        result = asyncio.run(run_async(args.students, args.per_student, args.rate,
                                       args.seed_items, args.saturated))
        print(json.dumps(result))
        return None
    if args.seed_items:  # encode (once, cached) here, so the measured process loads one model
        from matcher.encoder import Encoder

        encoder = Encoder(serving_model_path())
        real_vectors(encoder, args.seed_items // 2)
        query_vectors(encoder, args.seed_items // 2)
        encoder.close()
    result = run_json(["-m", "bench.bot_load", "--worker", "--students", str(args.students),
                       "--per-student", str(args.per_student), "--rate", str(args.rate),
                       "--seed-items", str(args.seed_items)]
                      + (["--saturated"] if args.saturated else []))
    return rows_from(result, args.students, args.per_student, args.rate, args.seed_items)


if __name__ == "__main__":
    main()
