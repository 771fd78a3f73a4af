"""The catalogue of permissions a role can be granted (R-4.2.2.4), grouped by the standard's modules.

Permission codes are stable identifiers stored in role grants; labels are what the screen shows.
Checks everywhere go through `user.has_perm(perm(code))`, answered by the role backend.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

APP_LABEL = "metrology"


@dataclass(frozen=True)
class Module:
    code: str
    label: Promise
    order: int


MODULES = {
    module.code: module
    for module in (
        Module("access", _("Permission management"), 1),
        Module("setup", _("Test setup"), 2),
        Module("certificates", _("Certificate management"), 3),
        Module("reports", _("Statistics and reports"), 4),
        Module("devices", _("Device management"), 5),
    )
}


@dataclass(frozen=True)
class Permission:
    code: str
    label: Promise
    module: str


PERMISSIONS: dict[str, Permission] = {
    p.code: p
    for p in (
        Permission("records_query", _("Raw records: query"), "certificates"),
        Permission("records_edit", _("Raw records: edit"), "certificates"),
        Permission("records_enter", _("Raw records: enter data"), "certificates"),
        Permission("records_verify", _("Raw records: verify"), "certificates"),
        Permission("certificates_query", _("Certificates: query"), "certificates"),
        Permission("certificates_edit", _("Certificates: edit"), "certificates"),
        Permission("certificates_approve", _("Certificates: approve"), "certificates"),
        Permission("certificates_void", _("Certificates: void"), "certificates"),
        Permission("reports_query", _("Reports: query"), "reports"),
        Permission("reports_export", _("Reports: export"), "reports"),
        Permission("devices_query", _("Devices: query"), "devices"),
        Permission("devices_manage", _("Devices: manage"), "devices"),
        Permission("people_query", _("People: query"), "access"),
        Permission("people_manage", _("People: add, edit, disable"), "access"),
        Permission("people_view_id_number", _("People: see full ID card numbers"), "access"),
        Permission("roles_manage", _("Roles and permissions: manage"), "access"),
        Permission("audit_query", _("Audit log: query"), "access"),
        Permission("procedures_manage", _("Procedures: design and publish"), "setup"),
        Permission("templates_manage", _("Templates: upload and manage"), "setup"),
        Permission("numbering_manage", _("Numbering schemes: manage"), "setup"),
        Permission("regulations_query", _("Regulations: read"), "setup"),
        Permission("regulations_manage", _("Regulations: upload and manage"), "setup"),
    )
}

PERMISSION_CHOICES = [(p.code, p.label) for p in PERMISSIONS.values()]

# Power over people, roles and the audit log: whoever lacks one of these may neither grant it nor act
# on a person who holds it (#8), so a people manager cannot make themselves administrator.
PRIVILEGED_PERMISSIONS = frozenset(p.code for p in PERMISSIONS.values() if p.module == "access")


def perm(code: str) -> str:
    """The `app_label.codename` string Django's `has_perm` takes, for one catalogue code."""
    if code not in PERMISSIONS:
        raise KeyError(f"unknown permission code {code!r}")
    return f"{APP_LABEL}.{code}"


def code_of(perm_name: str) -> str | None:
    app_label, _sep, code = perm_name.partition(".")
    return code if app_label == APP_LABEL and code in PERMISSIONS else None


def codes_held(user) -> set[str]:
    """The catalogue codes a person holds through their enabled roles."""
    return {code for name in user.get_all_permissions() if (code := code_of(name))}
