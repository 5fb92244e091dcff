"""Hoyamu ("let's find"): settings, wiring, services and the command line."""
