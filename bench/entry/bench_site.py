"""The throwaway site of the bench: made with `metrology new-site`, filled through the services
(the JJG 443 pack published, inspectors with a qualification and an enabled phone), and removed
afterwards with its MariaDB database when the bench made it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
PACK = REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
EXAMPLES = REPO / "tests" / "data" / "examples" / "fuel_dispenser_jjg443.json"
SITE_NAME = "bench"
PASSWORD = "Bench-entry-2026"
ISOLATED_VARIABLES = ("METROLOGY_SITE", "METROLOGY_DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                      "METROLOGY_TEST_KEEP_SITE_ENV")


@dataclass(frozen=True)
class Phone:
    username: str
    device: str


@dataclass(frozen=True)
class Prepared:
    item: str  # the item code a task is started on
    sub_type: int  # 首次检定
    phones: list[Phone]


def environment(sites: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED_VARIABLES}
    return {**env, "METROLOGY_SITES_DIR": str(sites)}


def f1_entry_order() -> list[dict]:
    """Example F1's inputs one value at a time, in the order an inspector types them."""
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))["examples"]
    inputs = next(e for e in examples if e["name"] == "F1")["inputs"]
    scalars = [{"field": k, "value": v} for k, v in inputs.items() if not isinstance(v, list)]
    cells = [{"field": k, "row": n, "column": c, "value": v}
             for k, rows in inputs.items() if isinstance(rows, list)
             for n, row in enumerate(rows, 1) for c, v in row.items()]
    return scalars + cells


def _mysql(url: str):
    import MySQLdb

    parsed = urlparse(url)
    return MySQLdb.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 3306,
                           user=unquote(parsed.username or "root"), passwd=unquote(parsed.password or ""))


def database_name(url: str) -> str:
    return unquote(urlparse(url).path.lstrip("/"))


def refuse_a_database_in_use(url: str) -> None:
    """The bench drops its database at the end, so it never takes one that already has tables."""
    connection = _mysql(url)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s",
                       [database_name(url)])
        if cursor.fetchone()[0]:
            raise SystemExit(f"bench/entry: the database {database_name(url)} already has tables; "
                             "give the name of an empty or missing one (it is dropped at the end)")
    finally:
        connection.close()


def drop_database(url: str) -> None:
    connection = _mysql(url)
    try:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{database_name(url)}`")
    finally:
        connection.close()


def new_site(sites: Path, database: str | None) -> None:
    sites.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(BIN / "metrology"), "new-site", SITE_NAME, "--admin-password", PASSWORD,
                    *(["--db", database] if database else [])],
                   env=environment(sites), check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def use_site_here(sites: Path) -> None:
    """Django in this process on the bench's site: to fill it, and to profile a save."""
    for name in ISOLATED_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(METROLOGY_SITES_DIR=str(sites), METROLOGY_SITE=SITE_NAME,
                      DJANGO_SETTINGS_MODULE="metrology.settings")
    import django

    django.setup()


def populate(count: int) -> Prepared:
    """The pack published, a device manager, and `count` qualified inspectors, each with an enabled phone."""
    from django.db import connections
    from metrology.accounts.models import Role
    from metrology.accounts.services.people import person_create
    from metrology.accounts.services.qualifications import qualification_add
    from metrology.devices.services import device_enable, device_seen
    from metrology.doctype.packs import pack_import

    versions = pack_import(actor=None, definition=json.loads(PACK.read_text(encoding="utf-8")),
                           authorise=True, publish=True)
    procedure = versions[0].procedure  # 首次检定
    manager = person_create(actor=None, username="sunqi", password=PASSWORD, name="孙七",
                            roles=Role.objects.filter(code="device_manager"))
    inspector_role = Role.objects.filter(code="inspector")
    phones = []
    for number in range(1, count + 1):
        username = f"inspector{number:02d}"
        person = person_create(actor=None, username=username, password=PASSWORD, name=f"检定员{number:02d}",
                               roles=inspector_role)
        qualification_add(actor=None, person=person, certificate_number=f"JL-BENCH-{number:04d}",
                          issue_date=dt.date(2025, 3, 1), issuing_body="示范省市场监督管理局",
                          valid_until=dt.date(2030, 2, 28), items=[procedure.item.name])
        device = device_seen(identifier=f"bench-phone-{number:04d}-{os.urandom(6).hex()}",
                             name=f"{person.name}的手机", imei="", person=person, user_agent="bench/entry")
        device_enable(actor=manager, device=device, note="bench/entry")
        phones.append(Phone(username, device.identifier))
    connections.close_all()
    return Prepared(procedure.item.code, procedure.sub_type_id, phones)

