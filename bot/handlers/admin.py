"""Admin commands (ADMIN_IDS only). Anyone else is refused politely and the attempt is logged.

/stats (numbers and pictures), /reindex, /retrain (progress edited into one message), /model,
/ab, /promote, /rollback, /export.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from telegram import Message, Update
from telegram.error import BadRequest

from bot.handlers.common import Context, Handler, core_of, esc, lang, reply
from bot.i18n import t
from hoyamu import charts
from hoyamu.modelops import ModelOps
from hoyamu.retrain import AlreadyRunning, Retrainer
from hoyamu.validation import InvalidInput

log = logging.getLogger(__name__)


def admin_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        user_id = update.effective_user.id
        if user_id not in core_of(context).settings.admin_ids:
            log.warning("user %s tried admin command %r", user_id,
                        (update.effective_message.text or "")[:40])
            await reply(update, t(lang(context), "admin_only"))
            return None
        try:
            return await handler(update, context)
        except InvalidInput as exc:
            await reply(update, exc.message)
            return None

    return wrapper


def retrainer(context: Context) -> Retrainer:
    return core_of(context).retrainer


def ops(context: Context) -> ModelOps:
    return core_of(context).modelops


def bad_pairs_text(language: str, final: dict) -> str:
    """A run stopped by a malformed pairs file: which entry is wrong and what to do."""
    if final.get("index") is None:
        return t(language, "retrain_bad_pairs_file", file=final["file"],
                 reason=esc(final["reason"][:300]))
    return t(language, "retrain_bad_pairs", file=final["file"], index=final["index"],
             reason=esc(final["reason"][:300]))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@admin_only
async def stats(update: Update, context: Context) -> None:
    core, language = core_of(context), lang(context)
    numbers = await core.stats.stats()
    hours = await core.stats.median_handback_hours()
    metrics = core_of(context).store.metrics(numbers["model"]).get("held_out", {})
    await reply(update, t(language, "stats", **numbers) + "\n" + t(
        language, "stats_more", handback="—" if hours is None else f"{hours:.1f} h",
        top1=_fmt(metrics.get("top1")), mrr=_fmt(metrics.get("mrr10"))))
    scores = await core.stats.feedback_scores()
    settings = core.settings
    picture = await asyncio.to_thread(charts.score_histogram, scores["up"], scores["down"],
                                      settings.display_threshold, settings.notify_threshold)
    await update.effective_chat.send_photo(picture, caption=t(language, "chart_scores"))
    history = core_of(context).store.metrics(numbers["model"]).get("history")
    if history:
        curve = await asyncio.to_thread(charts.training_curve, history, numbers["model"])
        await update.effective_chat.send_photo(curve, caption=t(language, "chart_training"))


@admin_only
async def reindex(update: Update, context: Context) -> None:
    count = await core_of(context).serving.reindex()
    await reply(update, t(lang(context), "reindexed", count=count))


@admin_only
async def retrain(update: Update, context: Context) -> None:
    """Fold feedback and train in a separate process; the bot keeps answering students."""
    language = lang(context)
    if retrainer(context).running:
        await reply(update, t(language, "retrain_running"))
        return
    message = await update.effective_chat.send_message(t(language, "retrain_started"))
    task = context.application.create_task(_retrain(context, message, language))
    context.bot_data["retrain_task"] = task


async def _edit(message: Message, text: str) -> None:
    try:
        await message.edit_text(text, parse_mode="HTML")
    except BadRequest as exc:  # "message is not modified" and the like
        log.info("progress message not edited: %s", exc)


def _styles_line(final: dict, language: str) -> str:
    """Held-out top-1 per writing style: new / current / base, and the canaries."""
    def top1(figures: dict, style: str) -> str:
        return _fmt(figures.get("by_style", {}).get(style, {}).get("top1"))

    styles = " · ".join(
        f"{style} {top1(final['after'], style)}/{top1(final['before'], style)}/"
        f"{top1(final.get('base', {}), style)}" for style in final["after"].get("by_style", {}))
    canaries = final.get("canaries") or {}
    held = (canaries.get("checked") or 0) - (canaries.get("failed") or 0)
    return t(language, "retrain_styles", styles=styles or "—", held=held,
             checked=canaries.get("checked") or 0)


async def _retrain(context: Context, message: Message, language: str) -> None:
    lines: list[str] = [t(language, "retrain_started")]

    async def progress(event: dict) -> None:
        if event["event"] == "folded":
            lines.append(t(language, "retrain_folded", pairs=event["pairs"]))
        else:
            lines.append(t(language, "retrain_epoch", epoch=event["epoch"], epochs=event["epochs"],
                           loss=_fmt(event.get("loss")), top1=_fmt(event.get("top1"))))
        await _edit(message, "\n".join(lines[-12:]))

    try:
        final = await retrainer(context).run(progress)
    except AlreadyRunning:
        await _edit(message, t(language, "retrain_running"))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the admin, logged with context
        log.exception("retraining crashed: %r", exc)  # the details stay in the log
        final = {"event": "error", "message": t(language, "retrain_crashed")}
    if final["event"] == "error" and final.get("file"):
        lines.append(bad_pairs_text(language, final))
    elif final["event"] == "error":  # one escaped line: never a traceback or SQL in the chat
        reason = (final["message"].strip().splitlines() or ["?"])[0]
        lines.append(t(language, "retrain_failed", reason=esc(reason[:300])))
    else:
        key = ("retrain_promoted" if final["promoted"] else
               "retrain_candidate" if final["passed"] else "retrain_not_promoted")
        lines.append(t(language, key, version=final["version"],
                       before=_fmt(final["before"].get("top1")),
                       after=_fmt(final["after"].get("top1")), reason=final["reason"]))
        lines.append(_styles_line(final, language))
    await _edit(message, "\n".join(lines[-12:]))


@admin_only
async def model(update: Update, context: Context) -> None:
    store, serving, language = core_of(context).store, core_of(context).serving, lang(context)
    lines = []
    for role, version in (("current", serving.runtime.version),
                          ("candidate", serving.candidate.version if serving.candidate else None),
                          ("previous", store.previous_version())):
        if version:
            held_out = store.metrics(version).get("held_out", {})
            lines.append(t(language, "model_line", role=role, version=version,
                           top1=_fmt(held_out.get("top1")), mrr=_fmt(held_out.get("mrr10"))))
    await reply(update, "\n".join(lines))


@admin_only
async def ab(update: Update, context: Context) -> None:
    language = lang(context)
    rows = await core_of(context).stats.ab_report()
    if not rows:
        await reply(update, t(language, "ab_empty"))
        return
    lines = [t(language, "ab_header", fraction=core_of(context).settings.ab_fraction)]
    for row in rows:
        lines.append(t(language, "ab_line", model=row["model"], shown=row["shown"], up=row["up"],
                       down=row["down"], rate=_fmt(row["rate"]), low=_fmt(row["low"]),
                       high=_fmt(row["high"])))
    await reply(update, "\n".join(lines))


@admin_only
async def promote(update: Update, context: Context) -> None:
    runtime = await ops(context).promote_candidate()
    await reply(update, t(lang(context), "promoted", version=runtime.version))


@admin_only
async def rollback(update: Update, context: Context) -> None:
    runtime = await ops(context).rollback()
    await reply(update, t(lang(context), "rolled_back", version=runtime.version))


@admin_only
async def export(update: Update, context: Context) -> None:
    path, counts = await asyncio.to_thread(core_of(context).feedback.folded)
    if not sum(counts.values()):
        await reply(update, t(lang(context), "export_empty"))
        return
    await update.effective_chat.send_document(
        path.read_bytes(), filename=path.name,
        caption=t(lang(context), "export_caption", total=sum(counts.values()), **counts))
