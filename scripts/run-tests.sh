#!/usr/bin/env bash
# The whole suite twice: SQLite + the embedded database job queue, then MariaDB + Redis/RQ.
# Nothing may pass by not running: a skip not on tests/skip-allowlist.txt fails the run
# (METROLOGY_NO_SKIPS, apps/metrology/testing/skip_guard.py), and so does a run that collected no
# tests (pytest's exit code 5) or any other non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
export PLAYWRIGHT_BROWSERS_PATH=0 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 METROLOGY_NO_SKIPS=1

suite() {
  local status=0
  .venv/bin/pytest "$@" || status=$?
  case "$status" in
    0) ;;
    5) echo "run-tests: pytest collected no tests - that is a failure, not a pass" >&2; exit 5 ;;
    *) exit "$status" ;;
  esac
}

echo "== SQLite, database job queue =="
suite "$@"

echo "== MariaDB, Redis + RQ =="
METROLOGY_TEST_DATABASE_URL="mysql://metrology_test:metrology-test-only@127.0.0.1:3306/metrology" METROLOGY_TEST_JOBS=rq \
  suite "$@"
