"""The `hoyamu` command line: an entry point over the services built in `hoyamu/core.py`."""
