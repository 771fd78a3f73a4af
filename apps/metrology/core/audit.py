"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from metrology.core.models import GENESIS_HASH, AuditChainHead, AuditEvent
from metrology.core.request_context import current_origin

HEAD_PK = 1


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
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_content(event)}".encode()).hexdigest()


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        head = AuditChainHead.objects.create(pk=HEAD_PK, last_id=0, last_hash=GENESIS_HASH)
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    return head


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
    origin = current_origin()
    head = _locked_head()
    actor = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        id=head.last_id + 1,
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
        prev_hash=head.last_hash,
    )
    event.hash = chain_hash(head.last_hash, event)
    event.save(force_insert=True)
    head.last_id, head.last_hash = event.id, event.hash
    head.save(update_fields=["last_id", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


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


def _walk(events: Iterable[AuditEvent]) -> Iterator[ChainBreak]:
    expected_id, prev_hash = 1, GENESIS_HASH
    for event in events:
        if event.id != expected_id:
            yield ChainBreak(expected_id, f"rows {expected_id}–{event.id - 1} are missing")
        if event.prev_hash != prev_hash:
            yield ChainBreak(event.id, "its previous-hash does not match the row before it")
        if chain_hash(event.prev_hash, event) != event.hash:
            yield ChainBreak(event.id, "its content does not match its hash (altered)")
        expected_id, prev_hash = event.id + 1, event.hash


def audit_chain_verify() -> ChainReport:
    """Walk the whole chain in id order and collect every break, first one first."""
    events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    breaks = list(_walk(events))
    checked = AuditEvent.objects.count()
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if head and head.last_id and (head.last_id, head.last_hash) != last:
        breaks.append(ChainBreak(head.last_id, "the chain ends before its recorded last row (rows removed)"))
    return ChainReport(checked=checked, breaks=breaks)
