"""Uploading layouts: checked, linted against the procedure, stored by hash, audited (refusals too)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.doctype.models import Procedure
from metrology.print_formats.layouts import LayoutRefused, checked_layout, layout_format
from metrology.print_formats.models import Layout, LayoutVersion

MAX_LAYOUT_BYTES = 10 * 1024 * 1024


def procedure_definition(procedure: Procedure) -> dict:
    version = procedure.published_version() or procedure.latest_version()
    return version.definition


def layout_check(*, procedure: Procedure, data: bytes, filename: str):
    """Every check of an upload, without storing anything: (format, lint report) or LayoutRefused."""
    if len(data) > MAX_LAYOUT_BYTES:
        raise LayoutRefused(_("The file is larger than %(limit)d MiB.") % {"limit": MAX_LAYOUT_BYTES // 2**20})
    fmt = layout_format(filename)
    _layout, report = checked_layout(data, fmt, procedure_definition(procedure))
    return fmt, report


def layout_refusal_record(
    *, actor: Person | None, procedure: Procedure, kind: str, data: bytes, filename: str, refused: LayoutRefused
) -> None:
    """Who tried to upload what, and why it was refused (#8); its own transaction, as nothing else is saved."""
    with transaction.atomic():
        audit_log(actor=actor, action="layout.refused", obj=procedure, reason=str(refused.message)[:500],
                  after={"file": filename[:200], "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                         "kind": kind, "errors": [str(error) for error in refused.report.errors][:20]})


def layout_upload(
    *, actor: Person | None, procedure: Procedure, kind: str, data: bytes, filename: str
) -> LayoutVersion:
    """Store a new version of the procedure's layout of this kind; a refused file stores nothing but
    its audit row."""
    try:
        fmt, report = layout_check(procedure=procedure, data=data, filename=filename)
    except LayoutRefused as refused:
        layout_refusal_record(actor=actor, procedure=procedure, kind=kind, data=data, filename=filename,
                              refused=refused)
        raise
    return _layout_version_store(actor=actor, procedure=procedure, kind=kind, data=data, filename=filename,
                                 fmt=fmt, report=report)


@transaction.atomic
def _layout_version_store(*, actor, procedure: Procedure, kind: str, data: bytes, filename: str, fmt: str,
                          report) -> LayoutVersion:
    layout, _created = Layout.objects.get_or_create(procedure=procedure, kind=kind)
    # The layout row is the lock: two uploads never both take `number + 1` (#8). SQLite's IMMEDIATE
    # transactions already queue writers.
    layout = Layout.objects.select_for_update().get(pk=layout.pk)
    current = layout.versions.order_by("-number").first()
    digest = hashlib.sha256(data).hexdigest()
    if current is not None and current.sha256 == digest:
        return current
    version = LayoutVersion(
        layout=layout, number=(current.number + 1) if current else 1, format=fmt, sha256=digest, size=len(data),
        original_name=filename[:200], lint=report.as_dict(), uploaded_by=actor,
    )
    name = f"layouts/{digest}.{fmt}"
    if default_storage.exists(name):  # stored by content: the same bytes are one file
        version.file.name = name
    else:
        version.file.save(f"{digest}.{fmt}", ContentFile(data), save=False)
    version.save()
    audit_log(actor=actor, action="layout.uploaded", obj=version,
              after={"sha256": digest, "format": fmt, "file": filename, "notes": len(report.notes)})
    return version


def library_basis(definition: dict) -> str:
    """检定依据 from the regulation library (R-4.2.3.7), the procedure's own citation filling gaps."""
    from metrology.regulations.selectors import basis_for

    regulation = definition.get("regulation") or {}
    code = regulation.get("code")
    if not code:
        return ""
    return basis_for([code], titles={code: regulation.get("title", "")})
