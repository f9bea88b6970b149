#!/usr/bin/env bash
# Search benchmark on SQLite (a temporary file) and PostgreSQL (a throwaway database, dropped
# after): generate BENCH_SPACES spaces (default 10,000), then time searches. Extra arguments go
# to bench/search.py (e.g. --breakdown, --uniform, --queries 50).
#
#   bash bench/run.sh
#   PYTHON=/path/to/venv/bin/python BENCH_POSTGRES_URL=postgresql://127.0.0.1:5432/postgres bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
SPACES=${BENCH_SPACES:-10000}
# A database to connect to while creating and dropping the throwaway one.
ADMIN_URL=${BENCH_POSTGRES_URL:-postgresql://127.0.0.1:5432/test}
WORK=$(mktemp -d)
PG_NAME="spaces_bench_$$"
PG_CREATED=""

# shellcheck source=bench/pg_admin.sh
source "bench/pg_admin.sh"

cleanup() {
    rm -rf "$WORK"
    if [[ -n "$PG_CREATED" ]]; then pg_admin "DROP DATABASE IF EXISTS \"$PG_NAME\" WITH (FORCE)"; fi
}
trap cleanup EXIT

export SPACES_INSTANCE_PATH="$WORK/instance" PYTHONWARNINGS=ignore
quiet() { grep -v -e ' INFO alembic' -e 'INFO  \[alembic' || true; }

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$PYTHON" -V), $SPACES spaces"
echo "== SQLite"
SQLITE_URL="sqlite:///$WORK/bench.sqlite3"
"$PYTHON" bench/generate.py --database-url "$SQLITE_URL" --spaces "$SPACES" 2>&1 | quiet
"$PYTHON" bench/search.py --database-url "$SQLITE_URL" "$@" 2>&1 | quiet

echo "== PostgreSQL"
pg_admin "CREATE DATABASE \"$PG_NAME\""
PG_CREATED=1
PG_URL=$("$PYTHON" -c "
import sys
from sqlalchemy.engine import make_url
print(make_url(sys.argv[1]).set(drivername='postgresql+psycopg', database=sys.argv[2]).render_as_string(hide_password=False))
" "$ADMIN_URL" "$PG_NAME")
"$PYTHON" bench/generate.py --database-url "$PG_URL" --spaces "$SPACES" 2>&1 | quiet
"$PYTHON" bench/search.py --database-url "$PG_URL" "$@" 2>&1 | quiet
