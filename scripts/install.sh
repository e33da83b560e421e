#!/usr/bin/env bash
# Installs the project and its pinned dependencies into ./.venv (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
# WeasyPrint (decision letters, meeting minutes as PDFs) needs Pango and HarfBuzz from Debian
libs=$(ldconfig -p)
if ! grep -q 'libpango-1.0.so.0' <<<"$libs" || ! grep -q 'libpangoft2-1.0.so.0' <<<"$libs"; then
  echo "Installing Pango for the PDF letters…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b >/dev/null
fi
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
