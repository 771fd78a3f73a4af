"""The append-only, hash-chained audit log (R-4.1.2.5: prevent tampering; #8: keyed, sealed after commit)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from metrology.accounts.services import people
from metrology.core.audit import audit_chain_verify, audit_log, audit_seal_pending
from metrology.core.audit_anchor import checkpoints_read
from metrology.core.models import AppendOnlyError, AuditChainHead, AuditEvent
from metrology.core.request_context import bind_request

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", connection.ops.quote_name(TABLE)), params)


def _some_history(admin, make_person):
    for n in range(4):
        person = make_person(f"p{n}", f"人员{n}")
        people.person_update(actor=admin, person=person, title=f"职称{n}")
    audit_seal_pending()  # what the commit of each change does outside a test's transaction


def test_a_clean_chain_verifies(admin, make_person):
    _some_history(admin, make_person)
    report = audit_chain_verify()
    assert report.ok and report.checked == AuditEvent.objects.count() > 5


def test_each_row_links_to_the_one_before(admin, make_person):
    _some_history(admin, make_person)
    events = list(AuditEvent.objects.order_by("position"))
    assert [e.position for e in events] == list(range(1, len(events) + 1))
    for before, after in zip(events, events[1:]):
        assert after.prev_hash == before.hash
    head = AuditChainHead.objects.get()
    last = events[-1]
    assert (head.last_position, head.last_id, head.last_hash) == (last.position, last.id, last.hash)


def test_a_row_altered_by_sql_is_named(admin, make_person):
    _some_history(admin, make_person)
    victim = AuditEvent.objects.filter(action="person.updated").order_by("position")[1]
    _sql("UPDATE {table} SET reason = %s WHERE id = %s", ["tampered", victim.id])
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_break.event_id == victim.id
    assert "altered" in report.first_break.problem


def test_a_row_deleted_by_sql_is_found(admin, make_person):
    _some_history(admin, make_person)
    _sql("DELETE FROM {table} WHERE position = %s", [3])
    first = audit_chain_verify().first_break
    assert first.position == 3 and "missing" in first.problem


def test_removing_the_newest_rows_is_found(admin, make_person):
    _some_history(admin, make_person)
    last = AuditEvent.objects.order_by("-position").first().id
    _sql("DELETE FROM {table} WHERE id = %s", [last])
    assert not audit_chain_verify().ok


def test_a_row_altered_before_it_was_sealed_is_never_sealed_and_is_named(admin):
    """#8: the content seal is written with the row, so the sealing step cannot launder a change."""
    with transaction.atomic():
        event = audit_log(actor=admin, action="test.pending")
    _sql("UPDATE {table} SET reason = %s WHERE id = %s", ["tampered", event.id])
    report = audit_chain_verify()
    assert AuditEvent.objects.get(pk=event.pk).position is None
    assert report.first_break.event_id == event.id and "forged or altered" in report.first_break.problem


def test_a_row_forged_by_sql_is_never_sealed_and_is_named(admin):
    """#8: whoever writes the database cannot slip a row into the chain without the key."""
    audit_seal_pending()
    _sql("INSERT INTO {table} (created_at, actor_repr, action, object_type, object_id, object_repr, reason, "
         "ip, device, device_claimed, row_mac, prev_hash) VALUES (%s, 'admin', 'person.deleted', '', '', '', "
         "'', '', '', %s, %s, '')", [AuditEvent.objects.first().created_at, False, "0" * 64])
    forged = AuditEvent.objects.get(action="person.deleted")
    report = audit_chain_verify()
    assert forged.position is None and AuditEvent.objects.get(pk=forged.pk).position is None
    assert report.first_break.event_id == forged.id


def test_rows_are_sealed_and_checkpointed_right_after_the_change_commits(
        admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event = audit_log(actor=admin, action="test.sealed")
            assert AuditEvent.objects.get(pk=event.pk).hash is None
    sealed = AuditEvent.objects.get(pk=event.pk)
    assert sealed.position and sealed.hash
    checkpoints, unreadable = checkpoints_read()
    assert not unreadable
    assert (checkpoints[-1].position, checkpoints[-1].event_id, checkpoints[-1].hash) == (
        sealed.position, sealed.id, sealed.hash)


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
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all()._write_seal(reason="x")


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


def test_a_device_named_by_the_client_is_recorded_as_claimed(admin):
    """#8: X-Device-Id is whatever the client sends; until devices are authorised it is only claimed."""
    request = RequestFactory().post("/api/people/", HTTP_X_DEVICE_ID="PAD-0042")
    with bind_request(request), transaction.atomic():
        event = audit_log(actor=admin, action="test.device")
    event.refresh_from_db()
    assert (event.device, event.device_claimed) == ("PAD-0042", True)
    with transaction.atomic():
        quiet = audit_log(actor=admin, action="test.no_request")
    assert quiet.device == "" and quiet.device_claimed is False


def test_the_desk_audit_list_shows_a_claimed_device_as_unverified(admin, login):
    """#8: shown as 未核实 (unverified) in the Desk's audit list."""
    request = RequestFactory().post("/api/people/", HTTP_X_DEVICE_ID="PAD-0042")
    with bind_request(request), transaction.atomic():
        audit_log(actor=admin, action="test.device")
    page = login(admin).get("/desk/core/auditevent/").content.decode()
    with translation.override("zh-hans"):
        shown = gettext("%(device)s (unverified)") % {"device": "PAD-0042"}
    assert shown in page
