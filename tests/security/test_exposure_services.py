"""#8: the test services never open MariaDB's root account; the suite uses an account of its own."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import MySQLdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICES = (REPO_ROOT / "scripts" / "services.sh").read_text(encoding="utf-8")
RUN_TESTS = (REPO_ROOT / "scripts" / "run-tests.sh").read_text(encoding="utf-8")


def _suite_database_url() -> str:
    return re.search(r'METROLOGY_TEST_DATABASE_URL="([^"]+)"', RUN_TESTS).group(1)


def test_services_script_never_changes_roots_password_or_plugin():
    """It used to make root@localhost passwordless over TCP on every machine running the tests."""
    assert not re.search(r"ALTER\s+USER\s+'?root", SERVICES, re.IGNORECASE)
    assert not re.search(r"PASSWORD\s*\(\s*''\s*\)", SERVICES, re.IGNORECASE)
    assert not re.search(r"-uroot\s+--host", SERVICES), "root is used through the local socket only"


def test_the_suite_connects_as_its_own_account():
    assert urlparse(_suite_database_url()).username == "metrology_test"
    assert "metrology_test" in SERVICES


def _connect_as_test_account():
    url = urlparse(_suite_database_url())
    return MySQLdb.connect(host=url.hostname, port=url.port or 3306, user=url.username, passwd=url.password)


def test_the_test_account_can_make_test_databases_and_nothing_else():
    """Needs MariaDB with the account scripts/services.sh creates (`make test` runs it first)."""
    connection = _connect_as_test_account()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT CURRENT_USER()")
        assert cursor.fetchone()[0].startswith("metrology_test@")
        for name in ("test_metrology_probe_h7", "metrology_cli_probe_h7"):
            cursor.execute(f"CREATE DATABASE `{name}`")
            cursor.execute(f"DROP DATABASE `{name}`")
        for statement in ("CREATE DATABASE `unrelated_probe_h7`", "SELECT COUNT(*) FROM mysql.user"):
            with pytest.raises(MySQLdb.OperationalError):
                cursor.execute(statement)
    finally:
        connection.close()
