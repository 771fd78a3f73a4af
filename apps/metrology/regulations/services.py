"""Writes on the regulation library, each in one transaction with its audit row.

A file is checked before anything is written, so a refused upload saves nothing; its text is read
afterwards by a background job (`regulation_extract`: pdftotext may take up to a minute), whose state
the Desk shows and which an administrator can run again (`regulation_extraction_retry`). Files are
stored by content (regulations/<sha256>.<ext>) and never deleted or overwritten: a new upload points
the regulation at a new file and the audit row keeps both hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.core.audit import audit_log
from metrology.core.tasks import enqueue_on_commit
from metrology.regulations.codes import kind_of_code, normalise_code
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.extraction import Extracted, extract_text
from metrology.regulations.models import ExtractionState, Kind, Regulation, RegulationGram
from metrology.regulations.search import document_gram_keys, normalise
from metrology.regulations.uploads import CheckedUpload, check_upload

logger = logging.getLogger(__name__)

FILES_DIR = "regulations"
EDITABLE_FIELDS = ("code", "title", "kind", "effective_date", "withdrawal_date")
SNAPSHOT_FIELDS = (*EDITABLE_FIELDS, "file", "file_sha256", "file_size", "original_name")
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


def _attach(regulation: Regulation, actor: Any, upload: CheckedUpload) -> None:
    """Point the regulation at the file; its text is read later, by the job `_queue_extraction` starts."""
    regulation.file.name = _store(upload)
    regulation.file_format = upload.file_format
    regulation.file_sha256 = upload.sha256
    regulation.file_size = upload.size
    regulation.original_name = upload.original_name
    regulation.text = regulation.search_text = regulation.extraction_note = regulation.extraction_error = ""
    regulation.extraction_state = ExtractionState.PENDING
    regulation.uploaded_by = actor if getattr(actor, "pk", None) else None
    regulation.uploaded_at = timezone.now()


def _queue_extraction(regulation: Regulation) -> None:
    from metrology.regulations.tasks import extract_regulation_text

    enqueue_on_commit(extract_regulation_text, regulation.pk, regulation.file_sha256)


def _reindex(regulation: Regulation) -> None:
    RegulationGram.objects.filter(regulation=regulation).delete()
    keys = document_gram_keys((regulation.code, regulation.title, regulation.text))
    RegulationGram.objects.bulk_create(
        (RegulationGram(regulation=regulation, gram=key) for key in keys), batch_size=GRAM_BATCH,
    )


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
    upload = check_upload(file)
    with transaction.atomic():
        _clean(regulation)  # again, under the transaction, for a code taken meanwhile
        _attach(regulation, actor, upload)
        try:
            with transaction.atomic():
                regulation.save()
        except IntegrityError:  # the same code saved by someone else between the check and here
            raise RegulationRefused("duplicate_code", _("The library already has a regulation %(code)s.")
                                    % {"code": regulation.code}, field="code") from None
        _reindex(regulation)
        audit_log(actor=actor, action="regulation.uploaded", obj=regulation, after=_snapshot(regulation))
        _queue_extraction(regulation)
    return regulation


def regulation_update(
    *, actor: Any, regulation: Regulation, file: IO[bytes] | Any | None = None, **changes: Any,
) -> Regulation:
    """Change a regulation's details and/or give it a new file (a new upload; the old file is kept)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"regulation_update() cannot change {sorted(unknown)}")
    upload = check_upload(file) if file is not None else None
    with transaction.atomic():
        current = Regulation.objects.select_for_update().get(pk=regulation.pk)
        before = _snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value)
        if "code" in changes and "kind" not in changes and current.kind == kind_of_code(before["code"]):
            current.kind = kind_of_code(normalise_code(current.code))
        _clean(current)
        if upload is not None:
            _attach(current, actor, upload)
        old, new = _changed(before, _snapshot(current))
        if not new:
            return regulation
        current.save()
        if upload is not None or {"code", "title"} & set(new):
            _reindex(current)
        action = "regulation.file_replaced" if upload is not None else "regulation.updated"
        audit_log(actor=actor, action=action, obj=current, before=old, after=new)
        if upload is not None:
            _queue_extraction(current)
    regulation.refresh_from_db()
    return regulation


# -- text extraction (the background job) --------------------------------------------------------


def _stored_upload(regulation: Regulation) -> CheckedUpload:
    try:
        with default_storage.open(regulation.file.name, "rb") as handle:
            data = handle.read()
    except OSError:
        data = b""
    if hashlib.sha256(data).hexdigest() != regulation.file_sha256:
        message = _("The stored file of this regulation is missing or has changed; upload it again.")
        raise RegulationRefused("file_missing", message, field="upload")
    return CheckedUpload(data=data, file_format=regulation.file_format,
                         original_name=regulation.original_name, sha256=regulation.file_sha256)


def _claim(regulation_id: int, file_sha256: str) -> Regulation | None:
    """The regulation, locked, if it still has this file (a newer upload has a job of its own)."""
    return (Regulation.objects.select_for_update()
            .filter(pk=regulation_id, file_sha256=file_sha256).first())


def _finish(regulation_id: int, file_sha256: str, *, extracted: Extracted | None, error: str = "") -> str:
    with transaction.atomic():
        regulation = _claim(regulation_id, file_sha256)
        if regulation is None:
            return "superseded"
        if extracted is not None:
            regulation.text = extracted.text
            regulation.search_text = normalise(extracted.text)
            regulation.extraction_note = extracted.note[:300]
            regulation.extraction_state, regulation.extraction_error = ExtractionState.DONE, ""
        else:
            regulation.extraction_state, regulation.extraction_error = ExtractionState.FAILED, error[:300]
        regulation.save(update_fields=["text", "search_text", "extraction_note", "extraction_state",
                                       "extraction_error"])
        _reindex(regulation)
        audit_log(actor=None, action=f"regulation.text_{regulation.extraction_state}", obj=regulation,
                  after={"file_sha256": file_sha256, "characters": len(regulation.text),
                         "error": regulation.extraction_error})
    return regulation.extraction_state


def regulation_extract(*, regulation_id: int, file_sha256: str) -> str:
    """Read the text of the regulation's file and index it; a failure is recorded with its reason.

    Runs in the worker. Returns the state reached, or "superseded" when the regulation has had
    another file uploaded (or is gone) since the job was queued.
    """
    with transaction.atomic():
        regulation = _claim(regulation_id, file_sha256)
        if regulation is None:
            return "superseded"
        regulation.extraction_state = ExtractionState.RUNNING
        regulation.save(update_fields=["extraction_state"])
    try:
        extracted = extract_text(_stored_upload(regulation))
    except RegulationRefused as refused:
        return _finish(regulation_id, file_sha256, extracted=None, error=refused.message)
    except Exception:
        logger.exception("text extraction of regulation %s failed", regulation_id)
        message = _("An unexpected error stopped the text extraction; an administrator can run it again.")
        return _finish(regulation_id, file_sha256, extracted=None, error=message)
    return _finish(regulation_id, file_sha256, extracted=extracted)


def regulation_extraction_retry(*, actor: Any, regulation: Regulation) -> Regulation:
    """Queue the text extraction again, e.g. after it failed or its job was lost."""
    with transaction.atomic():
        current = Regulation.objects.select_for_update().get(pk=regulation.pk)
        if current.extraction_state == ExtractionState.DONE:
            raise RegulationRefused("already_extracted", _("The text of %(code)s has already been extracted.")
                                    % {"code": current.code})
        before = {"extraction_state": current.extraction_state, "extraction_error": current.extraction_error}
        current.extraction_state, current.extraction_error = ExtractionState.PENDING, ""
        current.save(update_fields=["extraction_state", "extraction_error"])
        audit_log(actor=actor, action="regulation.extraction_requeued", obj=current, before=before,
                  after={"extraction_state": current.extraction_state, "extraction_error": ""})
        _queue_extraction(current)
    regulation.refresh_from_db()
    return regulation
