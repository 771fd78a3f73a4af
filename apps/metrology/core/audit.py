"""Writing, sealing and verifying the hash-chained audit log (R-4.1.2.5: prevent tampering).

Writing. `audit_log()` inserts the row inside the writer's own transaction, so a rolled-back
change leaves no row. Its id comes from the database (auto-increment) and it carries `row_mac`,
an HMAC of its content under the site's chain key (metrology.core.audit_anchor), so a row forged
or altered in the database is recognised even before it is sealed. Writing locks nothing but the
new row: unrelated writes never queue behind each other's audit rows.

Sealing. Right after the writer commits (`transaction.on_commit`), `audit_seal_pending()` takes
the chain head's lock in a short transaction of its own and seals every committed, unsealed row:
it gives it the next `position` in the chain, the previous row's hash and its own
`hash = HMAC(key, prev_hash, position, id, row_mac)`, moves the head and, once that commits,
appends the head to the checkpoint file. `audit verify` (and `audit checkpoint`) seal first too.

Order. Rows are sealed in the order they become visible as committed, lowest id first within
one sealing; so the chain runs by `position`, not by id. Ids can have holes (a rolled-back
writer used one) and a row with a lower id can commit after a higher one: it simply gets the next
position when it is sealed. Sealing "the contiguous prefix of ids" instead would wait forever on
the id of a rolled-back writer. A committed row whose `row_mac` is wrong is never sealed; verify
names it.

Lock order (one for the whole platform): a writer locks its own domain rows, parent before
child (numbering: scheme, then its counter; procedure, then its versions), and nothing of the
audit log. The chain head is locked only by the sealing step, in its own transaction, which
holds no other lock. The head's one row is made by migration 0002 (and again only when the chain
is empty, e.g. a flushed test database), so first writers never race to create it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hmac
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from metrology.core.audit_anchor import (
    AuditKeyMissing,
    Checkpoint,
    audit_key,
    checkpoint_append,
    checkpoints_read,
    keyed_hash,
)
from metrology.core.models import GENESIS_HASH, AuditChainHead, AuditEvent
from metrology.core.request_context import current_origin

HEAD_PK = 1
logger = logging.getLogger(__name__)


# What each action code means, as the audit list shows it. Every code given to audit_log() anywhere
# in the code must be here (tests/test_translations.py reads the code to check).
AUDIT_ACTIONS: dict[str, Promise] = {
    "person.created": _("person added"),
    "person.updated": _("person's details changed"),
    "person.roles_changed": _("person's roles changed"),
    "person.password_set": _("password set"),
    "person.enabled": _("person enabled"),
    "person.disabled": _("person disabled"),
    "person.deleted": _("person deleted"),
    "person.token_revoked": _("API token revoked"),
    "person.sessions_ended": _("logged out everywhere"),
    "qualification.added": _("qualification added"),
    "qualification.updated": _("qualification changed"),
    "qualification.removed": _("qualification removed"),
    "role.created": _("role added"),
    "role.updated": _("role changed"),
    "role.permissions_granted": _("permissions granted"),
    "role.permissions_revoked": _("permissions revoked"),
    "role.enabled": _("role enabled"),
    "role.disabled": _("role disabled"),
    "item.created": _("measurement item added"),
    "item.updated": _("measurement item changed"),
    "test_type.saved": _("test type saved"),
    "procedure.created": _("procedure added"),
    "procedure.draft_created": _("new draft version started"),
    "procedure.draft_saved": _("draft saved"),
    "procedure.published": _("version published"),
    "procedure.retired": _("version retired"),
    "layout.uploaded": _("layout uploaded"),
    "layout.refused": _("layout upload refused"),
    "numbering_scheme.created": _("numbering scheme added"),
    "numbering_scheme.updated": _("numbering scheme changed"),
    "numbering_scheme.start_set": _("starting number set"),
    "number.issued": _("number issued"),
    "number.voided": _("number voided"),
    "regulation.uploaded": _("regulation uploaded"),
    "regulation.updated": _("regulation details changed"),
    "regulation.file_replaced": _("regulation file replaced"),
    "regulation.text_done": _("regulation text extracted"),
    "regulation.text_failed": _("regulation text extraction failed"),
    "regulation.extraction_requeued": _("regulation text extraction started again"),
    "record.started": _("raw record started"),
    "record.value_changed": _("raw record value changed after submission"),
    "record.step_taken": _("review step taken on a raw record"),
    "workflow.saved": _("review workflow changed"),
    "record.standard_added": _("standard used noted on a raw record"),
    "record.attachment_added": _("attachment added to a raw record"),
    "record.conditions_set": _("work conditions noted on a raw record"),
    "standard.saved": _("measurement standard saved"),
    "device.registered": _("device registered"),
    "device.enabled": _("device enabled"),
    "device.disabled": _("device disabled"),
    "certificate.numbered": _("certificate numbered"),
    "certificate.issued": _("certificate issued"),
    "certificate.voided": _("certificate voided"),
    "certificate.issue_again": _("certificate issuing queued again"),
    "signing_certificate.installed": _("signing certificate replaced"),
    "seal.installed": _("seal image replaced"),
    "report.saved": _("report saved"),
    "report.deleted": _("report deleted"),
    "report.exported": _("report exported"),
    "passkey.registered": _("fingerprint or face registered"),
    "passkey.revoked": _("fingerprint or face removed"),
    "passkey.confirmed": _("signer confirmed by fingerprint or face"),
    "job.rerun": _("failed background job run again"),
}


def action_label(action: str) -> str:
    """The action in words; a code no longer written (an old row) is shown as stored."""
    label = AUDIT_ACTIONS.get(action)
    return str(label) if label is not None else action


def object_type_label(object_type: str) -> str:
    """The kind of object by its model's name (e.g. 检测规程版本), or as stored if unknown."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


class AuditChainError(Exception):
    """The chain cannot be sealed (its head row is gone while sealed rows remain)."""


def jsonable(value: Any) -> Any:
    """Plain JSON for before/after snapshots: decimals and dates as strings, never floats."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (decimal.Decimal, dt.date, dt.datetime, dt.time)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def canonical_content(event: AuditEvent) -> str:
    content = {
        "id": event.id,
        "created_at": event.created_at.astimezone(dt.timezone.utc).isoformat(),
        "actor_id": event.actor_id,
        "actor_repr": event.actor_repr,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip": event.ip,
        "device": event.device,
        "device_claimed": event.device_claimed,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _chain_started() -> bool:
    return AuditEvent.objects.filter(position__isnull=False).exists()


def chain_key() -> bytes:
    return audit_key(chain_started=_chain_started)


def content_seal(key: bytes, event: AuditEvent) -> str:
    return keyed_hash(key, canonical_content(event))


def link_hash(key: bytes, prev_hash: str, position: int, event: AuditEvent) -> str:
    return keyed_hash(key, f"{prev_hash}\n{position}\n{event.id}\n{event.row_mac}")


def _seal_after_commit() -> None:
    try:
        audit_seal_pending()
    except Exception:  # the change itself is committed; the next sealing picks the row up
        logger.exception("could not seal the audit chain; it is sealed again on the next write or verify")


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit row inside the caller's transaction (it must be the writer's own)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log() must run inside the transaction of the change it records")
    key = chain_key()
    origin = current_origin()
    actor = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor,
        actor_repr=(actor.get_username() if actor else "system")[:150],
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        ip=origin.ip,
        device=origin.device,
        device_claimed=bool(origin.device) and not origin.device_verified,
    )
    event.save(force_insert=True)
    event.row_mac = content_seal(key, event)
    AuditEvent.objects.filter(pk=event.pk)._write_seal(row_mac=event.row_mac)
    transaction.on_commit(_seal_after_commit)
    return event


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    if _chain_started():
        raise AuditChainError("the audit chain's head row is missing (审计链头记录缺失)")
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD_PK, last_position=0, last_id=0, last_hash=GENESIS_HASH)
    except IntegrityError:
        pass  # another sealer made it; wait for its lock below
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


def audit_seal_pending() -> int:
    """Seal the committed rows not yet in the chain, lowest id first; returns how many."""
    if not AuditEvent.objects.filter(hash__isnull=True).exists():
        return 0
    key = chain_key()
    sealed = 0
    with transaction.atomic():
        head = _locked_head()
        for event in AuditEvent.objects.filter(hash__isnull=True).order_by("id"):
            if not hmac.compare_digest(event.row_mac, content_seal(key, event)):
                continue  # forged or altered before sealing: left out, and named by verify
            position = head.last_position + 1
            event_hash = link_hash(key, head.last_hash, position, event)
            AuditEvent.objects.filter(pk=event.pk)._write_seal(
                position=position, prev_hash=head.last_hash, hash=event_hash)
            head.last_position, head.last_id, head.last_hash = position, event.id, event_hash
            sealed += 1
        if sealed:
            head.save(update_fields=["last_position", "last_id", "last_hash"])
            transaction.on_commit(partial(checkpoint_append, position=head.last_position,
                                          event_id=head.last_id, hash=head.last_hash))
    return sealed


def audit_checkpoint() -> AuditChainHead:
    """Seal what is pending and return the head, to be written down or sent elsewhere."""
    audit_seal_pending()
    return AuditChainHead.objects.get(pk=HEAD_PK)


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    problem: str
    position: int | None = None

    @property
    def where(self) -> str:
        if self.event_id is not None:
            return f"row {self.event_id}"
        return f"chain position {self.position}" if self.position is not None else "chain"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


def _walk(key: bytes, events: Iterable[AuditEvent], checkpointed: dict[int, Checkpoint],
          found: dict[int, tuple[int, str]]) -> Iterator[ChainBreak]:
    """Check each sealed row in chain order; note in `found` the rows that checkpoints name."""
    expected, prev_hash, prev_id = 1, GENESIS_HASH, None
    for event in events:
        if event.position != expected:
            known = checkpointed.get(expected)
            yield ChainBreak(known.event_id if known else None,
                             f"chain positions {expected}–{event.position - 1} are missing "
                             f"(removed between row {prev_id} and row {event.id})", expected)
        if not hmac.compare_digest(event.row_mac, content_seal(key, event)):
            yield ChainBreak(event.id, "its content does not match its seal (altered)", event.position)
        if event.prev_hash != prev_hash:
            yield ChainBreak(event.id, "its previous-hash does not match the row before it", event.position)
        if not hmac.compare_digest(event.hash or "", link_hash(key, event.prev_hash, event.position, event)):
            yield ChainBreak(event.id, "its hash does not match (altered or recomputed without the key)",
                             event.position)
        if event.position in checkpointed:
            found[event.position] = (event.id, event.hash)
        expected, prev_hash, prev_id = event.position + 1, event.hash, event.id


def _unsealable(key: bytes) -> Iterator[ChainBreak]:
    for event in AuditEvent.objects.filter(hash__isnull=True).order_by("id"):
        if not hmac.compare_digest(event.row_mac, content_seal(key, event)):
            yield ChainBreak(event.id, "it is not in the chain and its content does not match its seal "
                                       "(forged or altered)")


def _head_problems(last: tuple[int, int, str] | None) -> Iterator[ChainBreak]:
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    if head is None:
        if last is not None:
            yield ChainBreak(None, "the chain's head row is missing")
        return
    if (head.last_position, head.last_id, head.last_hash) != (last or (0, 0, GENESIS_HASH)):
        yield ChainBreak(head.last_id, "the chain's head does not match its last row (rows removed or "
                                       "the head moved)", head.last_position)


def _checkpoint_problems(checkpoints: list[Checkpoint], unreadable: list[int],
                         found: dict[int, tuple[int, str]]) -> Iterator[ChainBreak]:
    for line in unreadable:
        yield ChainBreak(None, f"line {line} of the checkpoint file cannot be read")
    for checkpoint in sorted(checkpoints, key=lambda c: c.position):
        stored = found.get(checkpoint.position)
        if stored is None:
            yield ChainBreak(checkpoint.event_id,
                             f"it was sealed at chain position {checkpoint.position} ({checkpoint.at}, "
                             f"checkpoint line {checkpoint.line}) but is missing (the end of the chain was cut)",
                             checkpoint.position)
        elif stored != (checkpoint.event_id, checkpoint.hash):
            yield ChainBreak(checkpoint.event_id,
                             f"chain position {checkpoint.position} differs from its checkpoint of "
                             f"{checkpoint.at} (the chain was rewritten)", checkpoint.position)


def audit_chain_verify() -> ChainReport:
    """Seal what is pending, then check the whole chain with the key and against every checkpoint.

    Breaks are listed chain first (the first altered, missing or reordered row first), then rows
    left out of the chain, the head, and the checkpoints the database no longer matches.
    """
    breaks = []
    try:
        audit_seal_pending()
    except (AuditChainError, AuditKeyMissing, IntegrityError) as error:
        breaks.append(ChainBreak(None, f"the rows written last cannot be sealed: {error}"))
    try:
        key = chain_key()
    except AuditKeyMissing as error:
        return ChainReport(checked=0, breaks=[ChainBreak(None, str(error))])
    checkpoints, unreadable = checkpoints_read()
    checkpointed = {c.position: c for c in checkpoints}
    sealed = AuditEvent.objects.filter(position__isnull=False).order_by("position").iterator(chunk_size=2000)
    found: dict[int, tuple[int, str]] = {}
    breaks += _walk(key, sealed, checkpointed, found)
    breaks += _unsealable(key)
    last = (AuditEvent.objects.filter(position__isnull=False).order_by("-position")
            .values_list("position", "id", "hash").first())
    breaks += _head_problems(last)
    breaks += _checkpoint_problems(checkpoints, unreadable, found)
    return ChainReport(checked=AuditEvent.objects.count(), breaks=breaks)
