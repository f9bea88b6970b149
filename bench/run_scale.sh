#!/usr/bin/env bash
# Availability at scale (issue 11). For each preset (BENCH_PRESETS, default "indico million") and
# each backend (BENCH_BACKENDS, default "sqlite postgresql"): a throwaway database (a temporary
# SQLite file, or the PostgreSQL database spaces_bench_<pid>_<preset>, dropped on exit even after a
# failure, as bench/run.sh does), built by bench/scale_data.py (--check: no unit overbooked; with a
# building of 50 linked offices), then bench/availability.py (in process and over gunicorn),
# bench/terms.py (term bookings, in process), bench/explain.py and, on PostgreSQL,
# bench/throughput.py (with BENCH_REDIS_URL, a second time with a worker sending the e-mails).
# Extra arguments go to availability.py.
#
#   bash bench/run_scale.sh                                  # everything (~40 min on 2 cores)
#   BENCH_PRESETS=indico BENCH_BACKENDS=sqlite bash bench/run_scale.sh
#   BENCH_SCALE=0.01 BENCH_RUNS=5 bash bench/run_scale.sh    # a quick try of the whole chain
#   BENCH_OUT=/tmp/scale bash bench/run_scale.sh --budget 30 # keep the JSON figures and plans
#
# Settings: PYTHON (default .venv/bin/python, else python3); BENCH_POSTGRES_URL (a database the
# role may connect to, default postgresql://127.0.0.1:5432/test); BENCH_REDIS_URL (REDIS_URL for
# the app and its servers, default none: in-process events, e-mails to an outbox directory);
# BENCH_SCALE (multiplies the presets, default 1); BENCH_RUNS (runs per case, default 30);
# BENCH_SECONDS (throughput duration, default 20); BENCH_OUT (where the JSON figures and the
# plans go, default a temporary directory removed at the end).
# At 1,000,000 bookings, "free 2 h, all units" (a target at Indico's size only) is left out unless
# BENCH_MILLION_ONLY says otherwise (availability.py --only syntax).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
PRESETS=${BENCH_PRESETS:-indico million}
BACKENDS=${BENCH_BACKENDS:-sqlite postgresql}
SCALE=${BENCH_SCALE:-1}
RUNS=${BENCH_RUNS:-30}
SECONDS_=${BENCH_SECONDS:-20}
MILLION_ONLY=${BENCH_MILLION_ONLY:-dated20km,booking,feed,week,noplace,family,statements}
ADMIN_URL=${BENCH_POSTGRES_URL:-postgresql://127.0.0.1:5432/test}
REDIS_ARGS=()
if [[ -n "${BENCH_REDIS_URL:-}" ]]; then REDIS_ARGS=(--redis-url "$BENCH_REDIS_URL"); fi
WORK=$(mktemp -d)
OUT=${BENCH_OUT:-$WORK/out}
mkdir -p "$OUT"
PG_CREATED=()

# shellcheck source=bench/pg_admin.sh
source "bench/pg_admin.sh"

cleanup() {
    for name in "${PG_CREATED[@]}"; do
        pg_admin "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

export SPACES_INSTANCE_PATH="$WORK/instance" PYTHONWARNINGS=ignore
quiet() { grep -v -e ' INFO alembic' -e 'INFO  \[alembic' || true; }

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$PYTHON" -V), HEAD $(git rev-parse --short HEAD)" \
    "(spaces/ at $(git log -1 --format=%h -- spaces migrations))," \
    "presets: $PRESETS × $SCALE, backends: $BACKENDS; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for preset in $PRESETS; do
    for backend in $BACKENDS; do
        echo
        echo "== $preset on $backend, $(date -u +%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
        if [[ "$backend" == "sqlite" ]]; then
            URL="sqlite:///$WORK/$preset.sqlite3"
        else
            NAME="spaces_bench_$$_$preset"
            pg_admin "CREATE DATABASE \"$NAME\""
            PG_CREATED+=("$NAME")
            URL=$("$PYTHON" -c "
import sys
from sqlalchemy.engine import make_url
print(make_url(sys.argv[1]).set(drivername='postgresql+psycopg', database=sys.argv[2]).render_as_string(hide_password=False))
" "$ADMIN_URL" "$NAME")
        fi
        ONLY=()
        if [[ "$preset" == "million" ]]; then ONLY=(--only "$MILLION_ONLY"); fi
        "$PYTHON" bench/scale_data.py --database-url "$URL" --preset "$preset" --scale "$SCALE" \
            --family 50 --check 2>&1 | quiet
        # A failing measurement is reported and the run goes on with the next one.
        "$PYTHON" bench/availability.py --database-url "$URL" --runs "$RUNS" "${ONLY[@]}" \
            "${REDIS_ARGS[@]}" --json "$OUT/$preset-$backend.json" "$@" 2>&1 | quiet \
            || echo "!! availability.py failed ($?)"
        # Term bookings (issue 13): quote, check + write and term search, in process.
        "$PYTHON" bench/terms.py --database-url "$URL" --runs "$RUNS" --no-http "${REDIS_ARGS[@]}" \
            --json "$OUT/$preset-$backend-terms.json" 2>&1 | quiet || echo "!! terms.py failed ($?)"
        "$PYTHON" bench/explain.py --database-url "$URL" 2>&1 | quiet >"$OUT/$preset-$backend-plans.md" \
            || echo "!! explain.py failed ($?): see the end of $OUT/$preset-$backend-plans.md"
        echo "plans: $OUT/$preset-$backend-plans.md ($(grep -c '^#### ' "$OUT/$preset-$backend-plans.md" || true) statements explained)"
        if [[ "$backend" == "postgresql" ]]; then
            "$PYTHON" bench/throughput.py --database-url "$URL" --seconds "$SECONDS_" \
                "${REDIS_ARGS[@]}" --json "$OUT/$preset-$backend-throughput.json" 2>&1 | quiet \
                || echo "!! throughput.py failed or a check failed ($?)"
            if [[ -n "${BENCH_REDIS_URL:-}" ]]; then
                # Again with the worker sending the e-mails on the same machine (other slots).
                "$PYTHON" bench/throughput.py --database-url "$URL" --seconds "$SECONDS_" \
                    "${REDIS_ARGS[@]}" --worker --only throughput --seed 24 \
                    --json "$OUT/$preset-$backend-throughput-worker.json" 2>&1 | quiet \
                    || echo "!! throughput.py (with the worker) failed ($?)"
            fi
            pg_admin "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)"
        else
            rm -f "$WORK/$preset.sqlite3"*
        fi
    done
done
echo
echo "== done $(date -u +%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg); figures in $OUT"
