#!/usr/bin/env bash
# Second command of the README: run every test (lint, types, unit, integration, browser).
# Uses DATABASE_URL if set (PostgreSQL), else the embedded SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/install-browser.sh
export JFS_TESTING=1
export JFS_DATA_DIR=${JFS_DATA_DIR:-$(mktemp -d)}
# JFS_STATIC_CHECKS=0 skips the checks that do not depend on the database (CI runs them once)
if [ "${JFS_STATIC_CHECKS:-1}" != 0 ]; then
  .venv/bin/ruff check .
  .venv/bin/mypy                 # the whole tree (pyproject.toml [tool.mypy])
  .venv/bin/lint-imports         # the layers of the apps (.importlinter)
fi
.venv/bin/python -m pytest --create-db "$@"
