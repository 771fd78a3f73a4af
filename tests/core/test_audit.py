"""The append-only, hash-chained audit log (R-4.1.2.5: prevent tampering)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from metrology.accounts.services import people
from metrology.core.audit import audit_chain_verify, audit_log
from metrology.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def _some_history(admin, make_person):
    for n in range(4):
        person = make_person(f"p{n}", f"人员{n}")
        people.person_update(actor=admin, person=person, title=f"职称{n}")


def test_a_clean_chain_verifies(admin, make_person):
    _some_history(admin, make_person)
    report = audit_chain_verify()
    assert report.ok and report.checked == AuditEvent.objects.count() > 5


def test_each_row_links_to_the_one_before(admin, make_person):
    _some_history(admin, make_person)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    for before, after in zip(events, events[1:]):
        assert after.prev_hash == before.hash


def test_a_row_altered_by_sql_is_named(admin, make_person):
    _some_history(admin, make_person)
    victim = AuditEvent.objects.filter(action="person.updated").order_by("id")[1]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["tampered", victim.id])
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_break.event_id == victim.id
    assert "altered" in report.first_break.problem


def test_a_row_deleted_by_sql_is_found(admin, make_person):
    _some_history(admin, make_person)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [3])
    assert audit_chain_verify().first_break.event_id == 3


def test_removing_the_newest_rows_is_found(admin, make_person):
    _some_history(admin, make_person)
    last = AuditEvent.objects.order_by("-id").first().id
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [last])
    assert not audit_chain_verify().ok


def test_the_orm_cannot_change_or_delete_audit_rows(admin):
    event = AuditEvent.objects.first()
    event.reason = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_audit_rows_are_written_only_inside_the_changes_transaction(admin):
    with pytest.raises(RuntimeError):
        audit_log(actor=admin, action="test.outside")


def test_a_refused_change_leaves_no_audit_row(admin):
    count = AuditEvent.objects.count()
    with pytest.raises(Exception):
        with transaction.atomic():
            audit_log(actor=admin, action="test.rolled_back")
            raise ValueError("the change failed")
    assert AuditEvent.objects.count() == count
    assert audit_chain_verify().ok
