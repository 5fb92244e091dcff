"""Simulated students under load: the real Application, services, model, index and database;
only Telegram's network is the in-process Bot API.

    python -m tests.test_reliability_load --students 50 --seconds 60   # scripts/load_test.sh
    python -m tests.test_reliability_load --drive                      # for the kill test

Each student walks the whole report conversation (lost or found, in English, Singlish or
Sinhala), and votes 👎 / 👍 on the matches shown to them. A report is *confirmed* once the bot
replied "Saved your report #N"; a vote once the bot acknowledged it. Afterwards every confirmed
report and vote must be in the database, and the error handler must not have been reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.i18n import LANGUAGES, t
from storage.models import Feedback, Item
from tests.auxil.bot import BotHarness

pytestmark = pytest.mark.slow

SAVED = re.compile("|".join(re.escape(t(code, "saved", id="XYZ")).replace("XYZ", r"(\d+)")
                            for code in LANGUAGES))  # a student who writes Sinhala reads Sinhala
# a student's replies follow the script they wrote in, so the confirmations come in either language
VOTE_DOWN_OK = {t(code, key) for code in LANGUAGES for key in ("vote_down", "vote_same")}
CLAIM_SENT = {t(code, "claim_sent") for code in LANGUAGES}

COLOURS = ["black", "blue", "red", "green", "white", "grey", "brown", "pink"]
THINGS = ["wallet", "phone", "umbrella", "calculator", "water bottle", "backpack", "laptop",
          "keys", "student ID card", "earphones", "watch", "jacket"]
PLACES = ["main library", "lecture hall 2", "canteen", "gym", "bus stop", "computer lab",
          "science faculty", "hostel"]
SINHALA = ["පුස්තකාලයේ කළු පසුම්බියක් හම්බුණා", "කැන්ටිමේ නිල් කුඩයක් නැති වුණා",
           "ජිම් එකේ රතු වතුර බෝතලයක්", "බස් නැවතුමේ යතුරු පොකුරක්"]


def description(rng: random.Random, kind: str) -> str:
    # few colours, and each thing lost and found at its usual place, so that true pairs occur
    # often enough for votes (the learned scorer rightly hides another colour or place)
    colour, thing = rng.choice(COLOURS[:3]), rng.choice(THINGS)
    place = PLACES[THINGS.index(thing) % len(PLACES)]
    style = rng.random()
    if style < 0.15:
        return rng.choice(SINHALA)
    if style < 0.4:
        verb = "nathi una" if kind == "lost" else "hambuna"
        return f"{place} eke {colour} {thing} ekak {verb}"
    verb = "Lost my" if kind == "lost" else "Found a"
    return f"{verb} {colour} {thing} in the {place}"


@dataclass
class LoadResult:
    reports: dict[int, tuple[int, str]] = field(default_factory=dict)  # item -> (user, kind)
    votes: dict[tuple[int, int], str] = field(default_factory=dict)  # (match, user) -> vote
    latencies: list[float] = field(default_factory=list)
    submit_latencies: list[float] = field(default_factory=list)  # "Submit": store, encode, match
    errors: list[str] = field(default_factory=list)
    updates: int = 0

    def p95(self) -> float:
        return percentile(self.latencies, 95)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


class ErrorCounter(logging.Handler):
    """Counts what reaches the bot's error handler (it logs every error it receives)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def watch_errors() -> ErrorCounter:
    counter = ErrorCounter()
    logging.getLogger("bot.handlers.errors").addHandler(counter)
    logging.getLogger("telegram.ext").addHandler(counter)
    return counter


def unwatch_errors(counter: ErrorCounter) -> None:
    logging.getLogger("bot.handlers.errors").removeHandler(counter)
    logging.getLogger("telegram.ext").removeHandler(counter)


class Student:
    def __init__(self, bot: BotHarness, user_id: int, result: LoadResult, rng: random.Random,
                 on_event: Callable[[dict], None] | None) -> None:
        self.bot, self.result, self.rng, self.on_event = bot, result, rng, on_event
        self.user = bot.user(user_id, f"Student{user_id}")
        self.voted: set[int] = set()

    def _event(self, event: dict) -> None:
        if self.on_event:
            self.on_event(event)

    async def _timed(self, step):
        started = time.perf_counter()
        calls = await step
        self.result.latencies.append(time.perf_counter() - started)
        self.result.updates += 1
        return calls

    async def send(self, text: str):
        return await self._timed(self.bot.send(self.user, text))

    async def press(self, wanted: str):
        return await self._timed(self.bot.press(self.user, wanted))

    async def report(self, kind: str) -> list:
        text = description(self.rng, kind)
        await self.send(f"/{kind}")
        await self.send(text)
        if self.bot.offers(self.user, "detail:skip"):  # the follow-up for a bare item
            await self.press("detail:skip")
        await (self.send(self.rng.choice(PLACES)) if self.rng.random() < 0.5
               else self.press("skip"))
        await self.press("when:today")
        await self.press("skip")
        await self.press("cat:ok")
        if kind == "found":
            await self.press("skip")
        calls = await self.press("confirm:yes")
        self.result.submit_latencies.append(self.result.latencies[-1])
        for text_ in self.bot.texts_to(self.user, calls):
            if saved := SAVED.search(text_):
                item_id = int(next(g for g in saved.groups() if g))
                self.result.reports[item_id] = (self.user["id"], kind)
                self._event({"event": "report", "item": item_id, "user": self.user["id"],
                             "kind": kind})
        return calls

    async def vote(self, calls: list) -> None:
        shown = [d for c in calls if c.chat_id == self.user["id"] for _, d in c.buttons
                 if d.startswith("v:") and d.endswith(":0")]
        for down in shown:
            match_id = int(down.split(":")[1])
            if match_id in self.voted:
                continue
            self.voted.add(match_id)
            up = self.rng.random() < 0.25
            data = down[:-1] + "1" if up else down
            answer = await self._timed(self.bot.press_data(self.user, data))
            texts = [c.params.get("text") for c in BotHarness.answers(answer)
                     if c.params.get("callback_query_id")]
            replies = self.bot.texts_to(self.user, answer)
            confirmed = bool(CLAIM_SENT & set(replies)) if up else bool(VOTE_DOWN_OK & set(texts))
            if confirmed:
                vote = "up" if up else "down"
                self.result.votes[(match_id, self.user["id"])] = vote
                self._event({"event": "vote", "match": match_id, "user": self.user["id"],
                             "vote": vote})
            if up:
                await self.send("/cancel")

    async def run(self, deadline: float, max_reports: int | None = None) -> None:
        made = 0
        while time.monotonic() < deadline and (max_reports is None or made < max_reports):
            kind = "lost" if self.rng.random() < 0.5 else "found"
            calls = await self.report(kind)
            made += 1
            if kind == "lost":
                await self.vote(calls)


async def simulate(core, students: int, seconds: float, seed: int = 7,
                   on_event: Callable[[dict], None] | None = None,
                   max_reports: int | None = None, first_user: int = 10_000) -> LoadResult:
    """`students` concurrent students for `seconds` (each finishes the report it is in)."""
    result = LoadResult()
    counter = watch_errors()
    try:
        async with BotHarness(core) as bot:
            deadline = time.monotonic() + seconds
            crowd = [Student(bot, first_user + i, result, random.Random(seed * 1000 + i),
                             on_event) for i in range(students)]
            await asyncio.gather(*(s.run(deadline, max_reports) for s in crowd))
    finally:
        unwatch_errors(counter)
    result.errors = counter.messages
    return result


async def missing_in_database(core, result: LoadResult) -> list[str]:
    """Every confirmed report and vote that the database does not hold (should be none)."""
    problems = []
    async with core.sessions() as session:
        items = {i.id: i for i in await session.scalars(
            select(Item).where(Item.id.in_(list(result.reports))))}
        votes = {(f.match_id, f.user_id): f.vote for f in await session.scalars(select(Feedback))}
    for item_id, (user_id, kind) in result.reports.items():
        item = items.get(item_id)
        if item is None or item.user_id != user_id or item.kind != kind:
            problems.append(f"report {item_id} of user {user_id}")
    for key, vote in result.votes.items():
        if votes.get(key) != vote:
            problems.append(f"vote {vote} on match {key[0]} by user {key[1]}: {votes.get(key)}")
    return problems


# --- the short version, in the default test run --------------------------------------------


async def test_ten_students_for_ten_seconds_lose_nothing(tmp_path, base_model_path,
                                                         encoder) -> None:
    from hoyamu.core import start_core
    from tests.conftest import make_settings

    core = await start_core(make_settings(tmp_path, base_model_path, reports_per_hour=10_000),
                            encoder=encoder)
    try:
        result = await simulate(core, students=10, seconds=10)
        assert result.reports, "no report was confirmed"
        assert result.votes, "no vote was confirmed"
        assert result.errors == []
        assert await missing_in_database(core, result) == []
        async with core.sessions() as session:
            stored = await session.scalar(select(func.count(Item.id)))
        assert stored == len(result.reports)  # and nothing stored that was not confirmed
        from hoyamu.runtime import open_ids

        index, wanted = core.serving.runtime.index, await open_ids(core.sessions)
        assert {k: index.ids(k) for k in wanted} == wanted  # every open report is indexed
    finally:
        await core.engine.dispose()


# --- the command line: the 60-second load, and the driver of the kill test -------------------


async def _main(args: argparse.Namespace) -> int:
    from hoyamu.core import start_core
    from hoyamu.settings import Settings

    settings = Settings(_env_file=None)
    core = await start_core(settings)
    if args.drive:
        return await _drive(core, args)
    try:
        started = time.monotonic()
        result = await simulate(core, args.students, args.seconds, seed=args.seed)
        elapsed = time.monotonic() - started
        missing = await missing_in_database(core, result)
        async with core.sessions() as session:
            stored_items = await session.scalar(select(func.count(Item.id)))
            stored_votes = await session.scalar(select(func.count(Feedback.id)))
        summary = {
            "students": args.students, "seconds": round(elapsed, 1),
            "database": core.engine.dialect.name, "updates": result.updates,
            "reports_confirmed": len(result.reports), "reports_stored": stored_items,
            "votes_confirmed": len(result.votes), "votes_stored": stored_votes,
            "missing": missing, "errors": len(result.errors),
            "p50_ms": round(percentile(result.latencies, 50) * 1000),
            "p95_ms": round(percentile(result.latencies, 95) * 1000),
            "p99_ms": round(percentile(result.latencies, 99) * 1000),
            "max_ms": round(max(result.latencies, default=0) * 1000),
            "submit_p50_ms": round(percentile(result.submit_latencies, 50) * 1000),
            "submit_p95_ms": round(percentile(result.submit_latencies, 95) * 1000),
            "other_p95_ms": round(percentile(
                [x for x in result.latencies if x not in set(result.submit_latencies)], 95) * 1000),
            "updates_per_s": round(result.updates / elapsed, 1),
        }
        print(json.dumps(summary, indent=2))
        for message in result.errors[:10]:
            print("error:", message, file=sys.stderr)
        return 0 if not missing and not result.errors else 1
    finally:
        await core.close()


IDENTICAL = "Found a black wallet in the main library"


async def identical_handback(core) -> None:
    """A lost and a found report with the same text (students copy-paste), claimed, accepted and
    handed back: on purpose, so that every fold meets a pair the loader would refuse."""
    from hoyamu.reports import ReportInput

    reports, claims = core.reports, core.claims
    found = await reports.report(ReportInput(kind="found", text=IDENTICAL, user_id=9001))
    lost = await reports.report(ReportInput(kind="lost", text=IDENTICAL, user_id=9002))
    views = [v for v in lost.matches if v.item.id == found.item.id]
    match_id = views[0].match_id if views else await reports.record_match(
        lost.item.id, found.item.id, (await reports.search(IDENTICAL, min_score=0))[0].parts)
    await core.feedback.vote(match_id, 9002, up=True)
    view = await claims.create(match_id, 9002, None)
    await claims.decide(view.claim.id, 9001, True)
    await claims.hand_back(view.claim.id, 9002)


async def _drive(core, args: argparse.Namespace) -> int:
    """Load without end, plus folds and index saves, printing each confirmation; the kill test
    SIGKILLs this process at a random moment."""

    def emit(event: dict) -> None:
        print(json.dumps(event), flush=True)

    async def background() -> None:
        while True:
            await core.feedback.fold()
            emit({"event": "folded"})
            await asyncio.to_thread(core.serving.runtime.save_index)
            await asyncio.sleep(0.05)

    await identical_handback(core)
    emit({"event": "ready", "model": core.serving.runtime.version})
    task = asyncio.create_task(background())
    try:
        await simulate(core, args.students, args.seconds, seed=args.seed, on_event=emit)
    finally:
        task.cancel()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.test_reliability_load")
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drive", action="store_true", help="print confirmations as JSON lines")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"), stream=sys.stderr)
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
