#!/usr/bin/env bash
# The production profile, locally: a fresh PostgreSQL database, migrate, collectstatic, then
# gunicorn with config.settings_production on 127.0.0.1 (a free port, two workers), the way
# deploy/systemd/jfs-web.service runs it behind nginx. HTTPS is simulated with the proxy's header
# (X-Forwarded-Proto: https). Probes it, prints PASS/FAIL per probe, stops everything and exits
# non-zero on any failure.
#
#   JFS_PG_URL   the server, without a database name (default postgres://postgres@127.0.0.1:5432)
#   KEEP=1       leave the server running until Enter is pressed (to look at it yourself)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${JFS_PG_URL:-postgres://postgres@127.0.0.1:5432}"
db="jfs_ops_prodlocal_$(date +%s)_$$"
work="$(mktemp -d)"
port="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
gunicorn_pid=""

cleanup() {
  if [ -n "$gunicorn_pid" ]; then
    kill "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  psql "$PG_URL/postgres" -qAt -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The production environment (deploy/env.example), with throw-away secrets
unset JFS_TESTING DEBUG JFS_LOG_FORMAT
export DJANGO_SETTINGS_MODULE=config.settings_production
SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
JFS_METRICS_TOKEN="$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')"
JFS_AUDIT_SEAL_KEY="$($PY -c 'import secrets; print(secrets.token_hex(32))')"
export SECRET_KEY JFS_METRICS_TOKEN JFS_AUDIT_SEAL_KEY
# the partners' credentials (throw-away: nothing is sent to a partner here) and the digital ID's issuer
export JFS_DIGITAL_ID_CLIENT_SECRET="$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')"
export JFS_SMS_API_KEY=prod-local JFS_SMS_API_SECRET="$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')"
export JFS_LINE_CHANNEL_TOKEN="$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')"
export JFS_DIGITAL_ID_ISSUER="https://imauth.bora.dopa.go.th"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$port"
export JFS_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO"
export DATABASE_URL="$PG_URL/$db"
export JFS_DATA_DIR="$work/data"
export PROMETHEUS_MULTIPROC_DIR="$work/prometheus"
mkdir -p "$JFS_DATA_DIR" "$PROMETHEUS_MULTIPROC_DIR"

echo "=== Database $db, migrate, collectstatic"
psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE $db"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
# one staff account to sign in with (the demo log-ins; no requests)
$PY manage.py shell -v 0 -c "from jfs.accounts.offices import ensure_offices; from jfs.demo.users import ensure_demo_users; ensure_offices(); ensure_demo_users()"

echo "=== gunicorn (config.settings_production) on 127.0.0.1:$port"
.venv/bin/gunicorn config.wsgi --config gunicorn.conf.py --bind "127.0.0.1:$port" --workers 2 \
  --access-logfile - >"$work/server.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
  if $PY -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$gunicorn_pid" 2>/dev/null; then echo "gunicorn exited:"; cat "$work/server.log"; exit 1; fi
  sleep 0.5
done

echo "=== Probes"
status=0
$PY - "$port" "$work/server.log" "$PROMETHEUS_MULTIPROC_DIR" <<'PROBES' || status=$?
import http.client
import json
import os
import re
import sys
import time
import urllib.parse
from pathlib import Path

port, log_path, prom_dir = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
token = os.environ["JFS_METRICS_TOKEN"]
HTTPS = {"X-Forwarded-Proto": "https"}
failures = 0


def get(path, headers=None, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def probe(name, ok, detail=""):
    global failures
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + ("" if ok else f"  [{detail}]"))
    failures += not ok


def cookies(resp):
    return {c.split("=", 1)[0].strip(): c for c in resp.headers.get_all("Set-Cookie") or []}


resp, data = get("/healthz")
health = json.loads(data) if resp.status == 200 else {}
probe("healthz answers 200 with the database ok (plain HTTP from this machine)",
      resp.status == 200 and health.get("database", {}).get("status") == "ok", f"{resp.status} {data[:200]!r}")

resp, data = get("/accounts/login/", HTTPS)
hsts, csp = resp.getheader("Strict-Transport-Security", ""), resp.getheader("Content-Security-Policy", "")
probe("HTTPS page: 200", resp.status == 200, resp.status)
probe("HTTPS page: HSTS one year, subdomains, preload",
      hsts == "max-age=31536000; includeSubDomains; preload", hsts)
probe("HTTPS page: Content-Security-Policy without unsafe-inline",
      all(d in csp for d in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                             "object-src 'none'", "base-uri 'none'")) and "unsafe" not in csp, csp)
probe("HTTPS page: X-Frame-Options DENY, nosniff, a request id",
      resp.getheader("X-Frame-Options") == "DENY" and resp.getheader("X-Content-Type-Options") == "nosniff"
      and bool(resp.getheader("X-Request-ID")))
csrf = cookies(resp).get("csrftoken", "")
probe("HTTPS page: the CSRF cookie is Secure", "; Secure" in csrf, csrf)
html = data.decode()
probe("HTTPS page: no inline script", not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html))

token_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
csrf_value = csrf.split("=", 1)[1].split(";", 1)[0] if csrf else ""
form = urllib.parse.urlencode({"csrfmiddlewaretoken": token_field.group(1) if token_field else "",
                               "username": "officer.cm", "password": "demo-password-2569"})
origin = f"https://127.0.0.1:{port}"
resp, _ = get("/accounts/login/", {**HTTPS, "Content-Type": "application/x-www-form-urlencoded",
                                   "Cookie": f"csrftoken={csrf_value}", "Origin": origin,
                                   "Referer": f"{origin}/accounts/login/"}, method="POST", body=form)
session = cookies(resp).get("sessionid", "")
probe("sign-in over HTTPS: the session cookie is Secure and HttpOnly",
      resp.status == 302 and "; Secure" in session and "; HttpOnly" in session, f"{resp.status} {session}")

resp, _ = get("/accounts/login/?next=/staff/")
probe("plain HTTP is redirected to HTTPS", resp.status == 301
      and resp.getheader("Location") == f"https://127.0.0.1:{port}/accounts/login/?next=/staff/",
      f"{resp.status} {resp.getheader('Location')}")

resp, data = get("/static/css/jfs.css", HTTPS)
probe("static files are served (collectstatic)", resp.status == 200 and len(data) > 1000, resp.status)
resp, data = get("/api/v1/docs", HTTPS)
probe("Swagger UI from the bundled static files, no inline script",
      resp.status == 200 and b"/static/ninja/swagger-ui-bundle.js" in data and b"cdn" not in data.lower()
      and not re.search(rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", data), resp.status)

def healthz_count():
    _resp, body = get("/metrics", {"Authorization": f"Bearer {token}"})
    pattern = r'jfs_http_requests_total\{[^}]*view="healthz"[^}]*\} (\S+)'
    return sum(float(m.group(1)) for m in re.finditer(pattern, body.decode()))


before = healthz_count()
for _ in range(20):  # each on its own connection: the two workers share them
    get("/healthz")
resp, data = get("/metrics")
probe("/metrics without the token: 404", resp.status == 404, resp.status)
resp, _ = get("/metrics", {"Authorization": "Bearer not-the-token"})
probe("/metrics with a wrong token: 404", resp.status == 404, resp.status)
resp, data = get("/metrics", {"Authorization": f"Bearer {token}"})
text = data.decode()
probe("/metrics with the token: 200", resp.status == 200, resp.status)
for family in ("jfs_http_requests_total", "jfs_http_request_duration_seconds_bucket", "jfs_task_queue_depth",
               "jfs_registry_circuit_state", "jfs_sla_overdue_requests", "jfs_database_up 1.0"):
    probe(f"/metrics has {family}", family in text)
served = healthz_count() - before
workers = {p.name.rsplit("_", 1)[-1] for p in prom_dir.glob("counter_*.db")}
probe(f"the workers' counts add up (20 healthz calls counted, by {len(workers)} processes)",
      served == 20 and len(workers) >= 2, f"counted {served}, files {sorted(workers)}")

get("/staff/requests/?q=3501010427687&phone=0812345678", HTTPS)
time.sleep(0.5)
lines = [line for line in log_path.read_text().splitlines() if line.strip()]
bad = [line for line in lines if not line.startswith("{")]
parsed = []
for line in lines:
    try:
        parsed.append(json.loads(line))
    except ValueError:
        bad.append(line)
probe(f"the server's log is JSON lines ({len(lines)} lines)", lines and not bad, bad[:3])
log_text = log_path.read_text()
probe("no national ID or phone in the log", "3501010427687" not in log_text and "0812345678" not in log_text)

print(f"{failures} probe(s) failed" if failures else "all probes passed")
sys.exit(1 if failures else 0)
PROBES

if [ "${KEEP:-0}" = 1 ]; then
  echo "Server running at http://127.0.0.1:$port (send X-Forwarded-Proto: https); Enter stops it."
  read -r _ || true
fi
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 30 lines)"; tail -n 30 "$work/server.log"
  echo "prod-local: FAILED"
  exit 1
fi
echo "prod-local: all probes passed"
