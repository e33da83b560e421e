#!/usr/bin/env bash
# Benchmark: load ~1,000,000 requests (demo data --scale 33) into a fresh PostgreSQL database,
# then measure the queue page and search latency over HTTP (bench/latency.py), and with
# CONCURRENT_SESSIONS=N also N staff sessions at once for 60 s (bench/concurrent_staff.py).
#   bash bench/load_million.sh [dbname]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-jfs_bench_1m}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" JFS_DATA_DIR=${JFS_DATA_DIR:-/tmp/jfs_bench} JFS_TESTING=1
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
.venv/bin/python manage.py migrate -v0
start=$(date +%s.%N)
.venv/bin/python manage.py demo_data --seed 1 --scale "${SCALE:-33}"
end=$(date +%s.%N)
echo "LOAD_SECONDS $(echo "$end - $start" | bc)"
psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select 'requests', count(*) from cases_request" -c "select 'transitions', count(*) from cases_transition" -c "select 'audit events', count(*) from audit_auditevent"
psql -h 127.0.0.1 -U postgres -d "$db" -qc "ANALYZE"
.venv/bin/python bench/latency.py --requests "${LATENCY_REQUESTS:-200}"
if [ -n "${CONCURRENT_SESSIONS:-}" ]; then
  .venv/bin/python bench/concurrent_staff.py --sessions "$CONCURRENT_SESSIONS" --duration 60
fi
