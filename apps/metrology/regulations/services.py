"""Writes on the regulation library, each in one transaction with its audit row.

A file is checked and its text extracted before anything is written, so a refused or unreadable
upload saves nothing. Files are stored by content (regulations/<sha256>.<ext>) and never deleted
or overwritten: a new upload points the regulation at a new file and the audit row keeps both hashes.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.core.audit import audit_log
from metrology.regulations.codes import kind_of_code, normalise_code
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.extraction import Extracted, extract_text
from metrology.regulations.models import Kind, Regulation, RegulationGram
from metrology.regulations.search import document_gram_keys, normalise
from metrology.regulations.uploads import CheckedUpload, check_upload

FILES_DIR = "regulations"
EDITABLE_FIELDS = ("code", "title", "kind", "effective_date", "withdrawal_date")
SNAPSHOT_FIELDS = (*EDITABLE_FIELDS, "file", "file_sha256", "file_size", "original_name", "extraction_note")
GRAM_BATCH = 2000


def _snapshot(regulation: Regulation) -> dict[str, Any]:
    values = {field: getattr(regulation, field) for field in SNAPSHOT_FIELDS}
    values["file"] = regulation.file.name
    return values


def _changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _clean(regulation: Regulation) -> None:
    regulation.code = normalise_code(regulation.code)
    regulation.title = " ".join((regulation.title or "").split())
    if not regulation.code:
        raise RegulationRefused("no_code", _("Enter the code of the regulation, e.g. JJG 443-2023."),
                                field="code")
    if len(regulation.code) > Regulation._meta.get_field("code").max_length:
        raise RegulationRefused("bad_code", _("The code is too long."), field="code")
    if not regulation.title:
        raise RegulationRefused("no_title", _("Enter the title of the regulation."), field="title")
    if len(regulation.title) > Regulation._meta.get_field("title").max_length:
        raise RegulationRefused("bad_title", _("The title is too long."), field="title")
    if regulation.kind not in Kind.values:
        raise RegulationRefused("bad_kind", _("Unknown kind of regulation."), field="kind")
    effective, withdrawn = regulation.effective_date, regulation.withdrawal_date
    if effective and withdrawn and withdrawn < effective:
        raise RegulationRefused("bad_dates", _("The withdrawal date cannot be before the effective date."),
                                field="withdrawal_date")
    duplicate = Regulation.objects.filter(code=regulation.code).exclude(pk=regulation.pk)
    if duplicate.exists():
        raise RegulationRefused("duplicate_code", _("The library already has a regulation %(code)s.")
                                % {"code": regulation.code}, field="code")


def _store(upload: CheckedUpload) -> str:
    name = f"{FILES_DIR}/{upload.sha256}.{upload.file_format}"
    if default_storage.exists(name):  # same name, same content
        return name
    return default_storage.save(name, ContentFile(upload.data))


def _attach(regulation: Regulation, actor: Any, upload: CheckedUpload, extracted: Extracted) -> None:
    regulation.file.name = _store(upload)
    regulation.file_format = upload.file_format
    regulation.file_sha256 = upload.sha256
    regulation.file_size = upload.size
    regulation.original_name = upload.original_name
    regulation.text = extracted.text
    regulation.search_text = normalise(extracted.text)
    regulation.extraction_note = extracted.note[:300]
    regulation.uploaded_by = actor if getattr(actor, "pk", None) else None
    regulation.uploaded_at = timezone.now()


def _reindex(regulation: Regulation) -> None:
    RegulationGram.objects.filter(regulation=regulation).delete()
    keys = document_gram_keys((regulation.code, regulation.title, regulation.text))
    RegulationGram.objects.bulk_create(
        (RegulationGram(regulation=regulation, gram=key) for key in keys), batch_size=GRAM_BATCH,
    )


def _read(file: IO[bytes] | Any) -> tuple[CheckedUpload, Extracted]:
    upload = check_upload(file)
    return upload, extract_text(upload)


def regulation_upload(
    *,
    actor: Any,
    file: IO[bytes] | Any,
    code: str,
    title: str,
    effective_date: dt.date | None = None,
    withdrawal_date: dt.date | None = None,
    kind: str | None = None,
) -> Regulation:
    """Add a regulation from an uploaded PDF or .docx; its kind follows its code unless given."""
    regulation = Regulation(code=code, title=title, effective_date=effective_date,
                            withdrawal_date=withdrawal_date)
    regulation.kind = kind or kind_of_code(normalise_code(code))
    _clean(regulation)
    upload, extracted = _read(file)
    with transaction.atomic():
        _clean(regulation)  # again, under the transaction, for a code taken meanwhile
        _attach(regulation, actor, upload, extracted)
        try:
            with transaction.atomic():
                regulation.save()
        except IntegrityError:  # the same code saved by someone else between the check and here
            raise RegulationRefused("duplicate_code", _("The library already has a regulation %(code)s.")
                                    % {"code": regulation.code}, field="code") from None
        _reindex(regulation)
        audit_log(actor=actor, action="regulation.uploaded", obj=regulation, after=_snapshot(regulation))
    return regulation


def regulation_update(
    *, actor: Any, regulation: Regulation, file: IO[bytes] | Any | None = None, **changes: Any,
) -> Regulation:
    """Change a regulation's details and/or give it a new file (a new upload; the old file is kept)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"regulation_update() cannot change {sorted(unknown)}")
    read = _read(file) if file is not None else None
    with transaction.atomic():
        current = Regulation.objects.select_for_update().get(pk=regulation.pk)
        before = _snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value)
        if "code" in changes and "kind" not in changes and current.kind == kind_of_code(before["code"]):
            current.kind = kind_of_code(normalise_code(current.code))
        _clean(current)
        if read is not None:
            _attach(current, actor, *read)
        old, new = _changed(before, _snapshot(current))
        if not new:
            return regulation
        current.save()
        if read is not None or {"code", "title"} & set(new):
            _reindex(current)
        action = "regulation.file_replaced" if read is not None else "regulation.updated"
        audit_log(actor=actor, action=action, obj=current, before=old, after=new)
    regulation.refresh_from_db()
    return regulation
