#!/usr/bin/env bash
# First command of the README: install everything, migrate, load demo data (once),
# and serve the whole system (web + background worker) at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DEBUG=${DEBUG:-1}
export DJANGO_SETTINGS_MODULE=config.settings
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
if [ "$($PY manage.py demo_data --status)" = "empty" ]; then
  echo "Loading demo data (FY2564–2569)…"
  $PY manage.py demo_data --seed "${DEMO_SEED:-1}"
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
$PY manage.py run_worker &
pids+=($!)
echo "Justice Fund System: http://127.0.0.1:8000  (demo log-ins: see README.md)"
.venv/bin/gunicorn config.wsgi --bind "${BIND:-127.0.0.1:8000}" --workers "${WEB_WORKERS:-2}" --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"
