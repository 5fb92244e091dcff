"""`hoyamu` as an admin runs it: real processes, a real database file and index."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def hoyamu(settings, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=settings.database_url, MODELS_DIR=str(settings.models_dir),
               INDEX_DIR=str(settings.index_dir), BASE_MODEL=settings.base_model,
               HF_HUB_OFFLINE="1", LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-m", "cli", *args], env=env, text=True,
                          capture_output=True, timeout=300)


def test_add_then_search_from_the_command_line(settings) -> None:
    added = hoyamu(settings, "add", "--kind", "found", "--json",
                   "Black leather wallet found near the main library counter")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["category"] == "Wallet"
    hoyamu(settings, "add", "--kind", "found", "Red umbrella at the bus stop")
    found = hoyamu(settings, "search", "library eke kalu wallet eka nathi una", "--kind", "lost",
                   "--limit", "3", "--json", "--all")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)
    assert results[0]["text"].startswith("Black leather wallet")
    assert set(results[0]["parts"]) == {"semantic", "keyword", "category"}
    readable = hoyamu(settings, "search", "black wallet", "--all")
    assert "1. [" in readable.stdout and "cosine" in readable.stdout
    stats = hoyamu(settings, "stats", "--json")
    assert json.loads(stats.stdout)["open_found"] == 2


def test_bad_input_is_a_clear_error(settings) -> None:
    result = hoyamu(settings, "add", "--kind", "lost", "   ")
    assert result.returncode == 2 and "describe the item" in result.stderr
    result = hoyamu(settings, "search", "wallet", "--kind", "stolen")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_missing_model_is_reported_not_replaced(settings, tmp_path) -> None:
    env_settings = settings.model_copy(update={"base_model": str(tmp_path / "no-model")})
    result = hoyamu(env_settings, "stats")
    assert result.returncode == 3 and "not a model folder" in result.stderr


def test_fold_feedback_command_adds_nothing_without_feedback(settings) -> None:
    import shutil

    shutil.copy("data/text_pairs.json", settings.text_pairs_path)
    before = settings.text_pairs_path.read_text()
    env = dict(os.environ, TEXT_PAIRS_PATH=str(settings.text_pairs_path))
    result = subprocess.run([sys.executable, "-m", "cli", "fold-feedback"],
                            env={**env, "DATABASE_URL": settings.database_url, "LOG_LEVEL": "WARNING",
                                 "DATA_DIR": str(settings.data_dir)},
                            text=True, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "0 new pairs" in result.stdout
    assert json.loads(settings.text_pairs_path.read_text()) == json.loads(before)
