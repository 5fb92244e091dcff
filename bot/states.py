"""Conversation states (one ConversationHandler holds the whole flow; see bot/app.py)."""

(ASK_KIND, DESCRIPTION, PLACE, WHEN, PHOTO, CATEGORY, QUESTION, CONFIRM,
 CLAIM_ANSWER, RELAY_TEXT, DETAIL) = range(11)
