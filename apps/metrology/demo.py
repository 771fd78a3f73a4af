"""The demo institute: the personas every test and demo shares (ARCHITECTURE.md, convention 5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from metrology.accounts.models import Person, Role
from metrology.core.sites import Site
from metrology.doctype.models import ProcedureVersion
from metrology.accounts.services.people import person_create
from metrology.doctype.files import load_definition
from metrology.doctype.packs import bundled_packs, pack_import

DEMO_PASSWORD = "Jiliang-2026"
DEMO_ITEMS = ["燃油加油机", "弹性元件式一般压力表"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role_codes: tuple[str, ...]
    qualified: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("zhangsan", "张三", ("inspector",), qualified=True),
    DemoAccount("lisi", "李四", ("verifier",), qualified=True),
    DemoAccount("wangwu", "王五", ("approver",), qualified=True),
    DemoAccount("zhaoliu", "赵六", ("document_manager",)),
    DemoAccount("sunqi", "孙七", ("device_manager",)),
    DemoAccount("zhouba", "周八", ("senior_manager",)),
    DemoAccount("jiandu", "吴监督", ("supervisor",)),
)


def _qualifications(account: DemoAccount, index: int) -> list[dict]:
    if not account.qualified:
        return []
    return [{
        "certificate_number": f"JL-2024-{index:04d}",
        "issue_date": dt.date(2024, 3, 1),
        "issuing_body": "示范省市场监督管理局",
        "valid_until": dt.date(2029, 2, 28),
        "items": DEMO_ITEMS,
    }]


class NotADemoSite(Exception):
    """The demo accounts' password is published: they belong only on a site made as a demo."""


def demo_site_ensure(site: Site, *, force: bool = False) -> None:
    """Refuse a site not created with `new-site --demo` (its config says `"demo": true`), unless forced (#8)."""
    if force or site.flag("demo", False):
        return
    raise NotADemoSite(
        f"站点 {site.name} 不是示范站点，示范账号的密码是公开的，不能载入；"
        f"示范站点请用 metrology new-site NAME --demo 创建，确需载入请加 --force。 / "
        f"site {site.name} was not created as a demo site (new-site --demo) and the demo accounts' "
        "password is published: not loaded (add --force to load them anyway)."
    )


@transaction.atomic
def load_demo() -> list[DemoAccount]:
    """Create the demo people and procedures that do not exist yet; safe to run again."""
    for pack in bundled_packs():
        pack_import(actor=None, definition=load_definition(pack), authorise=True, publish=True)
    created = []
    for index, account in enumerate(DEMO_ACCOUNTS, start=1):
        if Person.objects.filter(username=account.username).exists():
            continue
        person_create(
            actor=None,
            username=account.username,
            password=DEMO_PASSWORD,
            name=account.name,
            position="示范岗位",
            roles=Role.objects.filter(code__in=account.role_codes),
            qualifications=_qualifications(account, index),
        )
        created.append(account)
    return created


def print_procedures() -> None:
    print("示范规程 / demo procedures:")
    for version in ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED).select_related(
        "procedure__item", "procedure__sub_type"
    ):
        print(f"  {version.label:<24} {version.procedure.item.name} · {version.procedure.sub_type.name}")


def print_accounts() -> None:
    print("示范账号 / demo accounts (password 密码: %s)" % DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        roles = "、".join(Role.objects.filter(code__in=account.role_codes).values_list("name", flat=True))
        print(f"  {account.username:<10} {account.name}  {roles}")
