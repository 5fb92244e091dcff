"""Child processes of the tests (the CLI, a bot, a load driver) see the test's own settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def child_env(settings, **extra: str) -> dict[str, str]:
    """The environment of a child process using the test's database, data, models and index."""
    env = dict(os.environ, DATABASE_URL=settings.database_url, DATA_DIR=str(settings.data_dir),
               MODELS_DIR=str(settings.models_dir), INDEX_DIR=str(settings.index_dir),
               TEXT_PAIRS_PATH=str(settings.text_pairs_path),
               FEEDBACK_PAIRS_PATH=str(settings.feedback_pairs_path), BASE_MODEL=settings.base_model,
               HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", LOG_LEVEL="WARNING")
    env.update(extra)
    return env


def run_cli(settings, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
    """`hoyamu ARGS...` (as `python -m cli`) in a child process; output captured as text."""
    return subprocess.run([sys.executable, "-m", "cli", *args], env=child_env(settings, **extra),
                          text=True, capture_output=True, timeout=timeout, cwd=ROOT)
