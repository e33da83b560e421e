#!/usr/bin/env bash
# First command of the README: install everything, migrate, load demo data (once),
# and serve the whole system (web + background worker + registry simulator) at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# DEBUG stays off: its error pages would show local variables, which can hold personal data
export DEBUG=${DEBUG:-0}
export DJANGO_SETTINGS_MODULE=config.settings
PY=.venv/bin/python
# A random secret key for this clone, kept in the (git-ignored) data directory, so that the
# README's manage.py commands work from any new shell without exporting anything.
# config/settings.py reads it when SECRET_KEY is not set; production sets SECRET_KEY.
DATA="${JFS_DATA_DIR:-var}"
mkdir -p "$DATA"
if [ -z "${SECRET_KEY:-}" ] && [ ! -s "$DATA/secret_key" ]; then
  (umask 077 && $PY -c "import secrets; print(secrets.token_urlsafe(50))" > "$DATA/secret_key")
fi
# Likewise the audit log's seal key (docs/audit.md): the demo loader seals its events with it.
if [ -z "${JFS_AUDIT_SEAL_KEY:-}" ] && [ -z "${JFS_AUDIT_SEAL_KEY_FILE:-}" ] && [ ! -s "$DATA/audit_seal_key" ]; then
  (umask 077 && $PY -c "import secrets; print(secrets.token_hex(32))" > "$DATA/audit_seal_key")
fi
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
if [ "$($PY manage.py demo_data --status)" = "empty" ]; then
  echo "Loading demo data (FY2564–2569)…"
  $PY manage.py demo_data --seed "${DEMO_SEED:-1}"
fi
# The registry simulator stands in for the government data exchange (GDX) unless
# JFS_GDX_BASE_URL points elsewhere; its data mirrors the demo applicants: JFS writes them to the
# registry seed (a versioned file; the simulator never reads JFS's database), the simulator builds
# its registries from it, and the seed (personal data) is deleted (docs/data-exchange.md).
REGISTRY="$DATA/registry.sqlite3"
if [ -z "${JFS_GDX_BASE_URL:-}" ] && [ ! -f "$REGISTRY" ]; then
  echo "Building the registry simulator's data from the demo applicants…"
  SEED_FILE="$DATA/registry_seed.jsonl"
  $PY manage.py export_registry_seed --out "$SEED_FILE"
  $PY -m registry_sim.build --seed "${DEMO_SEED:-1}" --out "$REGISTRY" --from-export "$SEED_FILE"
  rm -f "$SEED_FILE"
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -z "${JFS_GDX_BASE_URL:-}" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/8090) 2>/dev/null; then
    echo "Port 8090 is taken: using the registry simulator (or service) already listening there."
  else
    $PY -m registry_sim --port 8090 --data "$REGISTRY" --allow-faults &
    pids+=($!)
  fi
fi
# The state digital ID's simulator (ThaID-style OpenID Connect on 8091) unless JFS_DIGITAL_ID_ISSUER
# points at a real provider; its people are the demo citizen and applicants (docs/portal-sign-in.md)
if [ -z "${JFS_DIGITAL_ID_ISSUER:-}" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/8091) 2>/dev/null; then
    echo "Port 8091 is taken: using the digital-ID simulator (or provider) already listening there."
  else
    $PY manage.py export_oidc_people --out "$DATA/oidc_people.json" --verbosity 0
    $PY -m oidc_sim --port 8091 --people "$DATA/oidc_people.json" &
    pids+=($!)
  fi
fi
# The message gateways' simulator (SMS, LINE on 8092; SMTP on 8025) unless JFS_SMS_BASE_URL points
# at a real provider; what it received: http://127.0.0.1:8092/__sim/messages (docs/notifications.md)
if [ -z "${JFS_SMS_BASE_URL:-}" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/8092) 2>/dev/null; then
    echo "Port 8092 is taken: using the gateway simulator (or service) already listening there."
  else
    $PY -m gateway_sim --http-port 8092 --smtp-port 8025 --data "$DATA/gateway_sim" &
    pids+=($!)
  fi
fi
$PY manage.py run_worker &
pids+=($!)
echo "Justice Fund System: http://${BIND:-127.0.0.1:8000}  (demo log-ins: see README.md)"
# gunicorn.conf.py: an access log without query strings (they can hold a national ID) — PDPA
.venv/bin/gunicorn config.wsgi --config gunicorn.conf.py --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_WORKERS:-2}" --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"
