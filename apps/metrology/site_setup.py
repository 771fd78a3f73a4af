"""`metrology new-site`: the folder, the database, the migrations and the first administrator."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import shutil
import sys
from urllib.parse import unquote, urlparse

from metrology.core.sites import SiteError, site_create


def database_ensure(url: str) -> None:
    """Create the site's MariaDB/MySQL or PostgreSQL database if the server does not have it."""
    parsed = urlparse(url)
    name = unquote(parsed.path.lstrip("/"))
    if parsed.scheme in ("mysql", "mariadb"):
        import MySQLdb

        connection = MySQLdb.connect(
            host=parsed.hostname or "127.0.0.1", port=parsed.port or 3306,
            user=unquote(parsed.username or "root"), passwd=unquote(parsed.password or ""), charset="utf8mb4",
        )
        try:
            connection.cursor().execute(
                f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        finally:
            connection.close()
    elif parsed.scheme in ("postgres", "postgresql"):
        import psycopg

        with psycopg.connect(
            host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
            user=unquote(parsed.username or "postgres"), password=unquote(parsed.password or ""),
            dbname="postgres", autocommit=True,
        ) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')


def _admin_password(given: str | None) -> tuple[str, bool]:
    if given:
        return given, False
    if sys.stdin.isatty():
        while True:
            first = getpass.getpass("管理员密码 / administrator password: ")
            if first and first == getpass.getpass("再输入一次 / again: "):
                return first, False
            print("两次输入不一致 / the passwords differ")
    return secrets.token_urlsafe(12), True


def create_administrator(*, username: str, name: str, password: str):
    from metrology.accounts.models import Role
    from metrology.accounts.services.people import person_create

    roles = Role.objects.filter(code__in=["system_admin", "senior_manager"])
    return person_create(actor=None, username=username, password=password, name=name, roles=roles)


def new_site(args: argparse.Namespace) -> int:
    try:
        site = site_create(
            name=args.name, db_url=args.db, job_backend=args.jobs, redis_url=args.redis_url,
            institute_name=args.institute, make_current=not args.no_current,
            extra={"demo": True} if getattr(args, "demo", False) else None,
        )
    except SiteError as exc:
        raise SystemExit(f"metrology: {exc}") from exc
    try:
        if args.db:
            database_ensure(args.db)
        os.environ["METROLOGY_SITE"] = site.name
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrology.settings")
        import django
        from django.core.exceptions import ValidationError
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        password, generated = _admin_password(args.admin_password)
        try:
            create_administrator(username=args.admin_username, name=args.admin_name, password=password)
        except ValidationError as exc:
            raise SystemExit("metrology: administrator not created: " + "; ".join(exc.messages)) from exc
    except BaseException:
        shutil.rmtree(site.path, ignore_errors=True)
        raise
    print(f"站点已创建 / site created: {site.path}")
    print(f"管理员 / administrator: {args.admin_username}" + (f"  密码 / password: {password}" if generated else ""))
    return 0
