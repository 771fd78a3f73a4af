#!/usr/bin/env bash
# The whole suite twice: SQLite + the embedded database job queue, then MariaDB + Redis/RQ.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
export PLAYWRIGHT_BROWSERS_PATH=0 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

echo "== SQLite, database job queue =="
.venv/bin/pytest "$@"

echo "== MariaDB, Redis + RQ =="
METROLOGY_TEST_DATABASE_URL="mysql://root@127.0.0.1:3306/metrology" METROLOGY_TEST_JOBS=rq \
  .venv/bin/pytest "$@"
