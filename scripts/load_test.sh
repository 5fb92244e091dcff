#!/usr/bin/env bash
# The load test: simulated students (fake Bot API, real everything else) for a while, then a
# count in the database: no report or vote the bot confirmed may be missing, no unhandled error.
#
#   scripts/load_test.sh                      # 50 students for 60 seconds, SQLite
#   scripts/load_test.sh 10 20                # 10 students for 20 seconds
#   scripts/with_postgres.sh scripts/load_test.sh   # the same against PostgreSQL
#
# Prints a JSON summary (reports/votes confirmed and stored, p50/p95/p99 reply time of one
# update); exits non-zero when anything was lost or an error reached the error handler.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${1:-50}
SECONDS_=${2:-60}
WORK=$(mktemp -d /tmp/hoyamu-load.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export DATABASE_URL=${HOYAMU_TEST_DATABASE_URL:-sqlite+aiosqlite:///$WORK/hoyamu.db}
export DATA_DIR=$WORK INDEX_DIR=$WORK/indices TEXT_PAIRS_PATH=$WORK/text_pairs.json
export MODELS_DIR=${MODELS_DIR:-data/models} REPORTS_PER_HOUR=1000000 LOG_LEVEL=${LOG_LEVEL:-ERROR}
export TELEGRAM_BOT_TOKEN=
.venv/bin/python -m tests.test_reliability_load --students "$STUDENTS" --seconds "$SECONDS_"
