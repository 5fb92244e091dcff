"""All wiring in one place: the Application, the one ConversationHandler, buttons, commands, jobs."""

from __future__ import annotations

import datetime as dt

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

from bot.handlers import admin, handback, jobs, mine, report, start
from bot.handlers.errors import on_error
from bot.i18n import LANGUAGES, t
from bot.states import (
    ASK_KIND,
    CATEGORY,
    CLAIM_ANSWER,
    CONFIRM,
    DESCRIPTION,
    PHOTO,
    PLACE,
    QUESTION,
    RELAY_TEXT,
    WHEN,
)
from hoyamu.core import Core

NEW_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
NEW_MESSAGE = filters.UpdateType.MESSAGE & ~filters.COMMAND
COMMANDS = ("start", "lost", "found", "mine", "language", "help", "cancel")


def conversation() -> ConversationHandler:
    """The whole flow of a student: report, claim, relay.

    The steps' own handlers come first; the fallbacks then let a command, a menu button or a
    match button start over from any step, and free text where a button is expected starts a
    new report."""
    text_or_else = [MessageHandler(NEW_MESSAGE & ~filters.TEXT, report.not_text)]
    restarts = [
        CommandHandler("lost", report.start_lost),
        CommandHandler("found", report.start_found),
        CallbackQueryHandler(report.start_from_menu, pattern=r"^menu:(lost|found)$"),
        CallbackQueryHandler(handback.vote_up, pattern=r"^v:\d+:1$"),
        CallbackQueryHandler(handback.relay_start, pattern=r"^r:\d+$"),
    ]
    return ConversationHandler(
        entry_points=[*restarts, MessageHandler(NEW_TEXT, report.free_text)],
        states={
            ASK_KIND: [CallbackQueryHandler(report.kind_chosen, pattern=r"^kind:(lost|found)$")],
            DESCRIPTION: [MessageHandler(NEW_TEXT, report.description), *text_or_else],
            PLACE: [MessageHandler(NEW_TEXT, report.place),
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
            MessageHandler(NEW_TEXT, report.free_text),
        ],
        conversation_timeout=dt.timedelta(hours=1),
        name="student",
    )


def add_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(object, start.load_user), group=-1)
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
        CallbackQueryHandler(handback.share, pattern=r"^s:\d+$"),
        CallbackQueryHandler(handback.returned, pattern=r"^ret:\d+$"),
        CallbackQueryHandler(mine.item_action, pattern=r"^i:\d+:\w+$"),
        CallbackQueryHandler(start.stale_button),
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, start.unknown_command),
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
    builder = ApplicationBuilder().token(token).concurrent_updates(True)
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
