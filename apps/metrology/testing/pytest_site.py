"""pytest plugin: give the test run a site of its own before pytest-django loads the settings.

The database comes from METROLOGY_TEST_DATABASE_URL (default: SQLite), so the same suite runs
against SQLite and against a MariaDB server; the job backend from METROLOGY_TEST_JOBS.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from metrology.core.sites import site_create


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # A wrapper runs before pytest-django's own hook, which imports the settings.
    if not os.environ.get("METROLOGY_TEST_KEEP_SITE_ENV"):
        sites = tempfile.mkdtemp(prefix="metrology-test-sites-")
        atexit.register(shutil.rmtree, sites, True)
        os.environ["METROLOGY_SITES_DIR"] = sites
        os.environ["METROLOGY_SITE"] = "test"
        os.environ.pop("METROLOGY_DATABASE_URL", None)
        site_create(
            name="test",
            db_url=os.environ.get("METROLOGY_TEST_DATABASE_URL") or None,
            job_backend=os.environ.get("METROLOGY_TEST_JOBS", "database"),
            redis_url=os.environ.get("METROLOGY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
            institute_name="测试计量检定所",
        )
        os.environ["METROLOGY_TEST_KEEP_SITE_ENV"] = "1"  # subprocesses reuse this site
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    return (yield)
