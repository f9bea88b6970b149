# Sourced by run.sh and run_scale.sh: pg_admin "SQL" runs one statement on the admin database
# ($ADMIN_URL), autocommit, with $PYTHON (psycopg 3): creating and dropping throwaway databases.
pg_admin() {
    "$PYTHON" - "$ADMIN_URL" "$1" <<'EOF'
import sys
import psycopg
with psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5) as conn:
    conn.execute(sys.argv[2])
EOF
}
