#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on 127.0.0.1, then stop it (even on failure).
#
#   scripts/with_postgres.sh                 # the PostgreSQL test run (storage, service, bot, ...)
#   scripts/with_postgres.sh pytest -x tests/test_service.py
#   scripts/with_postgres.sh bash            # a shell with HOYAMU_TEST_DATABASE_URL set
#
# Installs PostgreSQL from the Debian packages when it is missing (root only), makes a fresh
# data directory in /tmp (initdb + pg_ctl, as the `postgres` user when run as root), creates the
# role and database `hoyamu` (password `hoyamu`, allowed to create the per-test databases) and
# exports HOYAMU_TEST_DATABASE_URL=postgresql+asyncpg://hoyamu:hoyamu@127.0.0.1:PORT/hoyamu.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

# The tests that touch the database: storage, service, bot flows, folding, the feedback loop,
# CLI, API, and the reliability/security/backup tests.
PG_TESTS=(tests/test_service.py tests/test_bot.py tests/test_fold.py tests/test_feedback_loop.py
          tests/test_cli.py tests/test_api.py tests/test_reliability.py tests/test_security.py
          tests/test_backup.py tests/test_storage.py tests/test_races.py tests/test_handback.py)

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$dir" ]] && command -v pg_ctl >/dev/null; then
        dir=$(dirname "$(command -v pg_ctl)")
    fi
    echo "$dir"
}

BIN=$(pg_bin)
if [[ -z "$BIN" || ! -x "$BIN/initdb" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "PostgreSQL is not installed; run: sudo apt-get install postgresql" >&2
        exit 1
    fi
    echo "Installing PostgreSQL from the Debian packages..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    BIN=$(pg_bin)
fi

as_owner() {  # run a PostgreSQL binary as the data directory's owner
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

PORT=${HOYAMU_PG_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DATA=$(mktemp -d /tmp/hoyamu-pg.XXXXXX)
chmod 755 "$DATA"
[[ $(id -u) -eq 0 ]] && chown postgres: "$DATA"

stop() {
    local code=$?
    if [[ -f "$DATA/db/postmaster.pid" ]]; then
        as_owner "$BIN/pg_ctl" -D "$DATA/db" -m fast -w stop >/dev/null 2>&1 || \
            as_owner "$BIN/pg_ctl" -D "$DATA/db" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DATA"
    exit "$code"
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "postgres" > "$DATA/pw"
as_owner "$BIN/initdb" -D "$DATA/db" -U postgres --pwfile="$DATA/pw" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DATA/initdb.log" 2>&1 || {
    cat "$DATA/initdb.log" >&2; exit 1; }
as_owner "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/db/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$DATA/db/server.log" >&2; exit 1; }
PSQL=("$BIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q)
as_owner "${PSQL[@]}" -c "CREATE ROLE hoyamu LOGIN CREATEDB PASSWORD 'hoyamu'" \
                      -c "CREATE DATABASE hoyamu OWNER hoyamu"
export HOYAMU_TEST_DATABASE_URL="postgresql+asyncpg://hoyamu:hoyamu@127.0.0.1:$PORT/hoyamu"
echo "$("$BIN/postgres" --version) on 127.0.0.1:$PORT (data in $DATA)"

if [[ $# -eq 0 ]]; then
    tests=()
    for t in "${PG_TESTS[@]}"; do [[ -e "$t" ]] && tests+=("$t"); done
    "$PY" -m pytest "${tests[@]}"
else
    "$@"
fi
