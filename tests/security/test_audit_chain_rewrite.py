"""#8 must show: `audit verify` fails after the chain is recomputed without the key, and after the
tail is cut and the head moved back; it passes on a clean site.

The changes commit for real here, so every row is sealed right after its change and each sealed
head lands in the checkpoint file, as on a running site. The attacker can write the database
but holds neither the site's key nor the checkpoint file.
"""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from metrology.accounts.services import people
from metrology.core.audit import audit_chain_verify, canonical_content
from metrology.core.audit_anchor import checkpoints_read
from metrology.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _execute(statement: str, params=()) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    head = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table, head=head), params)


@pytest.fixture
def history(admin, make_person):
    for n in range(5):
        person = make_person(f"p{n}", f"人员{n}")
        people.person_update(actor=admin, person=person, title=f"职称{n}")
    return list(AuditEvent.objects.order_by("position"))


def _recompute_without_the_key(events: list[AuditEvent], *, alter_id: int) -> None:
    """What an attacker does with the old algorithm: change a row, then redo every hash after it
    with plain SHA-256 (no secret exists to use), and move the head to the new last hash."""
    prev_hash = "0" * 64
    for event in events:
        if event.id == alter_id:
            event.reason = "nothing happened"
            _execute("UPDATE {table} SET reason = %s WHERE id = %s", [event.reason, event.id])
        content = canonical_content(event)
        row_mac = hashlib.sha256(content.encode()).hexdigest()
        event_hash = hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()
        _execute("UPDATE {table} SET row_mac = %s, prev_hash = %s, hash = %s WHERE id = %s",
                 [row_mac, prev_hash, event_hash, event.id])
        prev_hash = event_hash
    _execute("UPDATE {head} SET last_hash = %s", [prev_hash])


def test_audit_verify_passes_on_a_clean_site(history):
    assert all(event.position and event.hash for event in history), "every committed row is sealed"
    report = audit_chain_verify()
    assert report.ok, report.breaks
    checkpoints, _unreadable = checkpoints_read()
    assert checkpoints[-1].event_id == history[-1].id


def test_audit_verify_fails_after_the_chain_is_recomputed_without_the_key(history):
    victim = next(event for event in history if event.action == "person.updated")
    _recompute_without_the_key(history, alter_id=victim.id)
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_break.event_id == history[0].id  # not one row keeps its keyed seal
    assert victim.id in {b.event_id for b in report.breaks}


def test_audit_verify_fails_after_the_tail_is_cut_and_the_head_moved_back(history):
    kept, cut = history[:-3], history[-3:]
    _execute("DELETE FROM {table} WHERE position > %s", [kept[-1].position])
    _execute("UPDATE {head} SET last_position = %s, last_id = %s, last_hash = %s",
             [kept[-1].position, kept[-1].id, kept[-1].hash])
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_break.event_id in {event.id for event in cut}
    assert "cut" in report.first_break.problem
