"""The `metrology` command: sites, audit verification, passthrough, help."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlparse


def _tamper(cli_sites, site: str, event_id: int) -> None:
    config = json.loads((cli_sites.root / site / "site_config.json").read_text())
    if config["db_url"] == "sqlite":
        with sqlite3.connect(cli_sites.root / site / "site.sqlite3") as connection:
            connection.execute("UPDATE core_auditevent SET reason = 'edited' WHERE id = ?", (event_id,))
        return
    import MySQLdb

    url = urlparse(config["db_url"])
    connection = MySQLdb.connect(host=url.hostname, port=url.port or 3306, user=url.username or "root",
                                 passwd=url.password or "", db=url.path.lstrip("/"))
    connection.cursor().execute("UPDATE core_auditevent SET reason = 'edited' WHERE id = %s", (event_id,))
    connection.commit()
    connection.close()


def test_new_site_creates_config_database_and_administrator(cli_sites):
    result = cli_sites.new_site("institute")
    assert "站点已创建" in result.stdout
    config = json.loads((cli_sites.root / "institute" / "site_config.json").read_text())
    assert len(config["secret_key"]) > 40
    assert (cli_sites.root / "currentsite").read_text().strip() == "institute"
    for folder in ("files", "keys"):
        assert (cli_sites.root / "institute" / folder).is_dir()
    people = cli_sites.run("shell", "-c", "from metrology.accounts.models import Person; "
                           "print(sorted(Person.objects.values_list('username', flat=True)))")
    assert "['admin']" in people.stdout


def test_audit_verify_passes_then_names_the_row_altered_by_sql(cli_sites):
    cli_sites.new_site("institute", "--demo")
    cli_sites.run("demo", "--quiet")
    clean = cli_sites.run("audit", "verify")
    assert "audit chain intact" in clean.stdout
    _tamper(cli_sites, "institute", 5)
    broken = cli_sites.run("audit", "verify", check=False)
    assert broken.returncode == 1
    assert "row 5" in broken.stderr


def test_a_second_site_is_chosen_with_site(cli_sites):
    cli_sites.new_site("first")
    cli_sites.new_site("second", "--no-current")
    assert (cli_sites.root / "currentsite").read_text().strip() == "first"
    result = cli_sites.run("--site", "second", "shell", "-c", "from django.conf import settings; print(settings.SITE.name)")
    assert result.stdout.strip().splitlines()[-1] == "second"


def test_existing_site_and_bad_names_are_refused_clearly(cli_sites):
    cli_sites.new_site("institute")
    again = cli_sites.run("new-site", "institute", "--admin-password", "Guanli-2026x", check=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    bad = cli_sites.run("new-site", "Bad Name!", check=False)
    assert bad.returncode != 0 and "not valid" in bad.stderr


def test_weak_administrator_password_leaves_no_half_made_site(cli_sites):
    result = cli_sites.run("new-site", "institute", "--admin-password", "123", check=False)
    assert result.returncode != 0 and "administrator not created" in result.stderr
    assert not (cli_sites.root / "institute").exists()


def test_commands_without_a_site_say_how_to_make_one(cli_sites):
    result = cli_sites.run("check", check=False)
    assert result.returncode != 0 and "metrology new-site" in result.stderr


def test_help_is_in_chinese_and_english(cli_sites):
    text = cli_sites.run("--help").stdout
    assert "创建并初始化站点" in text and "create, migrate and set up a site" in text
    for command in ("new-site", "serve", "worker", "migrate", "demo", "audit"):
        assert command in text
