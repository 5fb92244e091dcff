"""All wiring in one place: the Application, the one ConversationHandler, buttons, commands, jobs."""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import BotCommand
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.handlers import admin, handback, jobs, mine, relay, report, start
from bot.handlers.errors import on_error
from bot.i18n import LANGUAGES, t
from bot.states import (
    ASK_KIND,
    CATEGORY,
    CLAIM_ANSWER,
    CONFIRM,
    DESCRIPTION,
    DETAIL,
    PHOTO,
    PLACE,
    QUESTION,
    RELAY_TEXT,
    WHEN,
)
from bot.updates import PerUserUpdateProcessor
from hoyamu.core import Core

NEW_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
NEW_MESSAGE = filters.UpdateType.MESSAGE & ~filters.COMMAND
COMMANDS = ("start", "lost", "found", "mine", "language", "help", "cancel")


def conversation() -> ConversationHandler:
    """The whole flow of a student: report, claim, relay.

    The steps' own handlers come first; the fallbacks then let a command, a menu button or a
    match button start over from any step. Free text outside a step goes to an open hand-back
    conversation when it replies to one (or the student is asked), else it starts a report.
    A lost report that says only what the item is gets one follow-up question (DETAIL); where
    and when already said in the report are shown for the student to confirm."""
    text_or_else = [MessageHandler(NEW_MESSAGE & filters.CONTACT, handback.phone),
                    MessageHandler(NEW_MESSAGE & ~filters.TEXT, report.not_text)]
    restarts = [
        CommandHandler("lost", report.start_lost),
        CommandHandler("found", report.start_found),
        CallbackQueryHandler(report.start_from_menu, pattern=r"^menu:(lost|found)$"),
        CallbackQueryHandler(handback.vote_up, pattern=r"^v:\d+:1$"),
        CallbackQueryHandler(handback.relay_start, pattern=r"^r:\d+$"),
        CallbackQueryHandler(relay.pending_is_report, pattern=r"^rt:new$"),
    ]
    return ConversationHandler(
        entry_points=[*restarts, MessageHandler(NEW_TEXT, relay.typed)],
        states={
            ASK_KIND: [CallbackQueryHandler(report.kind_chosen, pattern=r"^kind:(lost|found)$")],
            DESCRIPTION: [MessageHandler(NEW_TEXT, report.description),
                          MessageHandler(NEW_MESSAGE & filters.PHOTO, report.description_photo),
                          *text_or_else],
            DETAIL: [MessageHandler(NEW_TEXT, report.detail),
                     CallbackQueryHandler(report.skip_detail, pattern=r"^detail:skip$"),
                     *text_or_else],
            PLACE: [MessageHandler(NEW_TEXT, report.place),
                    CallbackQueryHandler(report.place_right, pattern=r"^place:ok$"),
                    CallbackQueryHandler(report.skip_place, pattern=r"^skip$"), *text_or_else],
            WHEN: [MessageHandler(NEW_TEXT, report.when_typed),
                   CallbackQueryHandler(report.when_chosen, pattern=r"^(when:\w+|skip)$"),
                   *text_or_else],
            PHOTO: [MessageHandler(filters.UpdateType.MESSAGE & filters.PHOTO, report.photo),
                    CallbackQueryHandler(report.skip_photo, pattern=r"^skip$"),
                    MessageHandler(NEW_MESSAGE, report.not_text)],
            CATEGORY: [CallbackQueryHandler(report.category_chosen, pattern=r"^cat:\w+$")],
            QUESTION: [MessageHandler(NEW_TEXT, report.question),
                       CallbackQueryHandler(report.skip_question, pattern=r"^skip$"),
                       *text_or_else],
            CONFIRM: [CallbackQueryHandler(report.submit, pattern=r"^confirm:yes$")],
            CLAIM_ANSWER: [MessageHandler(NEW_TEXT, handback.claim_answer), *text_or_else],
            RELAY_TEXT: [MessageHandler(NEW_TEXT, handback.relay_text), *text_or_else],
        },
        fallbacks=[
            CommandHandler("cancel", start.cancel),
            CommandHandler("start", start.start),
            CallbackQueryHandler(report.cancel_button, pattern=r"^confirm:no$"),
            *restarts,
            MessageHandler(NEW_TEXT, relay.typed),
        ],
        conversation_timeout=dt.timedelta(hours=1),
        name="student",
    )


def add_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(object, start.load_user), group=-1)
    # per_message=False on purpose: the flow mixes typed messages and buttons, so it is tracked
    # per chat and user. PTB warns about that; its FAQ ("What do the per_* settings in
    # ConversationHandler do?") says to silence the warning when the choice is deliberate.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*CallbackQueryHandler",
                                category=PTBUserWarning)
        application.add_handler(conversation())
    application.add_handlers([
        CommandHandler("start", start.start),
        CommandHandler("help", start.help_command),
        CommandHandler("language", start.language_command),
        CommandHandler("mine", mine.mine),
        CommandHandler("cancel", start.cancel),
        CommandHandler("stats", admin.stats),
        CommandHandler("reindex", admin.reindex),
        CommandHandler("retrain", admin.retrain),
        CommandHandler("model", admin.model),
        CommandHandler("ab", admin.ab),
        CommandHandler("promote", admin.promote),
        CommandHandler("rollback", admin.rollback),
        CommandHandler("export", admin.export),
        CallbackQueryHandler(start.language_menu, pattern=r"^menu:lang$"),
        CallbackQueryHandler(start.language_chosen, pattern=r"^lang:\w+$"),
        CallbackQueryHandler(mine.mine_menu, pattern=r"^menu:mine$"),
        CallbackQueryHandler(handback.vote_down, pattern=r"^v:\d+:0$"),
        CallbackQueryHandler(handback.decide, pattern=r"^c:\d+:[01]$"),
        CallbackQueryHandler(handback.reopen, pattern=r"^c:\d+:2$"),
        CallbackQueryHandler(handback.share, pattern=r"^s:\d+$"),
        CallbackQueryHandler(handback.returned, pattern=r"^ret:\d+$"),
        CallbackQueryHandler(handback.not_yet, pattern=r"^ny:\d+$"),
        CallbackQueryHandler(relay.send_pending, pattern=r"^rt:\d+$"),
        CallbackQueryHandler(mine.item_action, pattern=r"^i:\d+:\w+$"),
        CallbackQueryHandler(start.stale_button),
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, start.unknown_command),
        MessageHandler(NEW_MESSAGE & filters.CONTACT, handback.phone),
        MessageHandler(NEW_MESSAGE & ~filters.TEXT, start.stray_message),
    ])
    application.add_error_handler(on_error)


async def register_commands(application: Application) -> None:
    """The command menu, in every interface language."""
    for code in LANGUAGES:
        commands = [BotCommand(name, t(code, f"cmd_{name}")) for name in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=None if code == "en" else code)


def build_application(core: Core, token: str, request: BaseRequest | None = None,
                      base_url: str | None = None, rate_limit: bool = True) -> Application:
    """The bot over a started core. `request` replaces only Telegram's network (console, tests)."""
    # concurrent across students, one update at a time per student (bot/updates.py)
    builder = ApplicationBuilder().token(token).concurrent_updates(PerUserUpdateProcessor())
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if base_url:
        builder = builder.base_url(f"{base_url.rstrip('/')}/bot").base_file_url(
            f"{base_url.rstrip('/')}/file/bot")
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.bot_data["core"] = core
    add_handlers(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(jobs.expiry, interval=dt.timedelta(hours=6),
                                            first=dt.timedelta(minutes=1), name="expiry")
        application.job_queue.run_repeating(jobs.handbacks, interval=dt.timedelta(hours=1),
                                            first=dt.timedelta(minutes=2), name="handbacks")
        settings = core.settings
        if settings.index_refresh_seconds > 0:  # processes sharing one database stay in step
            application.job_queue.run_repeating(
                jobs.refresh_index, interval=dt.timedelta(seconds=settings.index_refresh_seconds),
                first=dt.timedelta(seconds=settings.index_refresh_seconds), name="index_refresh",
                job_kwargs={"max_instances": 1, "coalesce": True})
        if settings.retrain_after_pairs > 0 or settings.retrain_every_days > 0:
            application.job_queue.run_repeating(jobs.auto_retrain, interval=dt.timedelta(hours=1),
                                                first=dt.timedelta(minutes=5), name="retrain")
    return application
