#!/usr/bin/env bash
# Backup and restore, checked end to end on PostgreSQL (called by .ci/run; about half a minute):
# a fresh database with one fiscal year of demo data and its documents, verify_audit, backup,
# DROP the database, restore the backup into another fresh database and an empty data folder,
# then verify_audit again and compare every table's row count, the sequences and the documents'
# checksums with the original. Prints PASS/FAIL per check; exits non-zero on any failure.
#
#   JFS_PG_URL   the server, without a database name (default postgres://postgres@127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${JFS_PG_URL:-postgres://postgres@127.0.0.1:5432}"
stamp="$(date +%s)_$$"
db1="jfs_ops_bkcheck_${stamp}"
db2="jfs_ops_restored_${stamp}"
work="$(mktemp -d)"
failures=0

export DJANGO_SETTINGS_MODULE=config.settings DEBUG=0
SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
# the audit log's seal key is kept apart from the backup (like SECRET_KEY): the same for both sides
JFS_AUDIT_SEAL_KEY="$($PY -c 'import secrets; print(secrets.token_hex(32))')"
export SECRET_KEY JFS_AUDIT_SEAL_KEY
unset JFS_TESTING

sql() { psql "$PG_URL/$1" -v ON_ERROR_STOP=1 -qAt -c "$2"; }
cleanup() {
  for db in "$db1" "$db2"; do sql postgres "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
check() {  # check NAME COMMAND...: run, print PASS or FAIL
  local name="$1"; shift
  if "$@"; then echo "PASS  $name"; else echo "FAIL  $name"; failures=$((failures + 1)); fi
}
manage() {  # manage DB DATA_DIR ARGS...
  local db="$1" data="$2"; shift 2
  DATABASE_URL="$PG_URL/$db" JFS_DATA_DIR="$data" $PY manage.py "$@"
}
# every table's exact row count, and every sequence's position
counts() {
  sql "$1" "SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
              table_schema, table_name), false, true, '')))[1]::text
            FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
  sql "$1" "SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value, 0) FROM pg_sequences ORDER BY 1"
}
checksums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
verify() { manage "$1" "$2" verify_audit | tee "$3"; }  # verify DB DATA_DIR OUTPUT
refuses() { ! "$@" 2>/dev/null; }

mkdir -p "$work/data1" "$work/data2" "$work/backups"
echo "=== Original: $db1"
sql postgres "CREATE DATABASE $db1"
manage "$db1" "$work/data1" migrate --noinput -v0
manage "$db1" "$work/data1" demo_data --seed 1 --fiscal-years 2564 -v0
counts "$db1" > "$work/counts-before.txt"
checksums "$work/data1" > "$work/files-before.txt"
check "verify_audit on the original" verify "$db1" "$work/data1" "$work/audit-before.txt"
requests=$(grep '^cases_request ' "$work/counts-before.txt" | cut -d' ' -f2)
check "the original has demo requests ($requests) and documents ($(wc -l < "$work/files-before.txt") files)" \
  test "${requests:-0}" -gt 0 -a -s "$work/files-before.txt"

echo "=== Backup"
manage "$db1" "$work/data1" backup --output "$work/backups" | tee "$work/backup.txt"
backup_dir="$(tail -n 1 "$work/backup.txt")"
check "backup directory with dump, documents and manifest" \
  test -s "$backup_dir/database.dump" -a -s "$backup_dir/documents.tar" -a -s "$backup_dir/manifest.json"
check "manifest checksums match the files" $PY -c "
import hashlib, json, sys, pathlib
d = pathlib.Path(sys.argv[1]); m = json.loads((d / 'manifest.json').read_text())
for part in ('database', 'documents'):
    f = d / m[part]['file']
    assert hashlib.sha256(f.read_bytes()).hexdigest() == m[part]['sha256'] and f.stat().st_size == m[part]['bytes'], part
" "$backup_dir"

echo "=== DROP DATABASE $db1"
sql postgres "DROP DATABASE $db1"
check "the original database is gone" test -z "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = '$db1'")"

echo "=== Restore into $db2 (and an empty data folder)"
sql postgres "CREATE DATABASE $db2"
check "restore" manage "$db2" "$work/data2" restore "$backup_dir"
check "no migration missing after the restore" manage "$db2" "$work/data2" migrate --check -v0
check "verify_audit on the restored database" verify "$db2" "$work/data2" "$work/audit-after.txt"
check "the same audit events verified" diff "$work/audit-before.txt" "$work/audit-after.txt"
counts "$db2" > "$work/counts-after.txt"
check "every table's row count and every sequence as before" diff "$work/counts-before.txt" "$work/counts-after.txt"
for table in cases_request cases_transition cases_document audit_auditevent accounts_user; do
  echo "      $(grep "^$table " "$work/counts-after.txt" || echo "$table missing")"
done
checksums "$work/data2" > "$work/files-after.txt"
check "the documents, byte for byte" diff "$work/files-before.txt" "$work/files-after.txt"
check "restore refuses a database that is not empty" refuses manage "$db2" "$work/data2" restore "$backup_dir"

if [ "$failures" -gt 0 ]; then
  echo "Backup/restore check: $failures FAILED"
  exit 1
fi
echo "Backup/restore check: all passed"
