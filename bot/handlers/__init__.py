"""Telegram handlers: small, typed, thin. Logic lives in hoyamu/ services."""
