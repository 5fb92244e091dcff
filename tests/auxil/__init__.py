"""Small shared test helpers (as in python-telegram-bot's own tests/auxil)."""
