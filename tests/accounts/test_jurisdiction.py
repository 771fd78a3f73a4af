"""A person's jurisdiction (管辖区域, issue #13): a supervisor of some districts sees only the records,
certificates and audit rows of those districts, in the Desk lists and by URL; an empty one is the
whole institute; the person page and the people API set it, audited like any profile field."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from metrology.accounts.jurisdiction import (
    audit_in_jurisdiction,
    certificates_in_jurisdiction,
    records_in_jurisdiction,
    regions,
    split_regions,
)
from metrology.accounts.models import Person
from metrology.certificates.models import Certificate
from metrology.core.audit import audit_log
from metrology.core.models import AuditEvent
from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record
from metrology.workflow.models import RecordStep
from metrology.workflow.selectors import visible_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def area_supervisor(make_person):
    return make_person("xihu", "西湖监督", "supervisor", jurisdiction="西湖区, 上城区")


@pytest.fixture
def places(start):
    """Three records: one in 西湖区 by its client, one in 上城区 by its user's address, one in 萧山区."""
    by_client = start(serial_number="SN-IN-1", client="西湖区文三路加油站")
    by_address = start(serial_number="SN-IN-2", client="东方石油公司")
    outside = start(serial_number="SN-OUT-1", client="萧山加油站")
    Record.objects.filter(pk=by_address.pk).update(user_address="杭州市上城区解放路 1 号")
    Record.objects.filter(pk=outside.pk).update(user_address="杭州市萧山区市心路 9 号")
    return {"by_client": by_client, "by_address": by_address, "outside": outside}


@pytest.fixture
def certificates_of(places, approver):
    """A certificate (a row, no files) on each of the three records, with an audit row each."""
    made = {}
    for name, record in places.items():
        approval = RecordStep.objects.create(record=record, action="approve", label="批准", from_state="verified",
                                             to_state="approved", actor=approver)
        certificate = Certificate.objects.create(
            record=record, approval=approval, kind=DocumentKind.CERTIFICATE, number=f"JD-{record.serial_number}",
            state=Certificate.State.ISSUED, numbered_at=timezone.now(), issued_at=timezone.now())
        with transaction.atomic():
            audit_log(actor=approver, action="certificate.numbered", obj=certificate,
                      after={"number": certificate.number})
        made[name] = certificate
    return made


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_the_districts_are_typed_separated_by_commas_or_the_enumeration_mark_and_kept_once():
    assert split_regions("西湖区， 上城区、西湖区; 滨江区,,") == ["西湖区", "上城区", "滨江区"]
    assert split_regions("") == [] and split_regions("  、 ") == []


def test_a_saved_jurisdiction_is_written_with_the_enumeration_mark(area_supervisor, supervisor):
    assert Person.objects.get(pk=area_supervisor.pk).jurisdiction == "西湖区、上城区"
    assert regions(area_supervisor) == ["西湖区", "上城区"]
    assert regions(supervisor) == []


def test_records_are_in_the_jurisdiction_by_their_users_address_or_their_client(area_supervisor, places):
    found = _ids(records_in_jurisdiction(area_supervisor, Record.objects.all()))
    assert found == {places["by_client"].pk, places["by_address"].pk}


def test_certificates_follow_the_jurisdiction_of_their_record(area_supervisor, certificates_of):
    found = _ids(certificates_in_jurisdiction(area_supervisor, Certificate.objects.all()))
    assert found == {certificates_of["by_client"].pk, certificates_of["by_address"].pk}


def test_an_empty_jurisdiction_is_the_whole_institute(supervisor, certificates_of):
    assert _ids(records_in_jurisdiction(supervisor, Record.objects.all())) == _ids(Record.objects.all())
    assert _ids(certificates_in_jurisdiction(supervisor, Certificate.objects.all())) == _ids(Certificate.objects.all())
    assert _ids(audit_in_jurisdiction(supervisor, AuditEvent.objects.all())) == _ids(AuditEvent.objects.all())


def test_the_audit_rows_of_a_jurisdiction_are_those_about_its_records_and_their_certificates(
        area_supervisor, places, certificates_of):
    rows = audit_in_jurisdiction(area_supervisor, AuditEvent.objects.all())
    about = set(rows.values_list("object_type", "object_id"))
    assert about == {("records.record", str(places["by_client"].pk)), ("records.record", str(places["by_address"].pk)),
                     ("certificates.certificate", str(certificates_of["by_client"].pk)),
                     ("certificates.certificate", str(certificates_of["by_address"].pk))}
    assert AuditEvent.objects.filter(object_type="accounts.person").exists()  # there, but not theirs to see


def test_the_desk_audit_log_shows_a_supervisor_only_the_rows_of_their_districts(
        login, area_supervisor, supervisor, places, certificates_of):
    listed = login(area_supervisor).get(reverse("desk:core_auditevent_changelist")).context["cl"].result_list
    assert {(e.object_type, e.object_id) for e in listed} == set(
        audit_in_jurisdiction(area_supervisor, AuditEvent.objects.all()).values_list("object_type", "object_id"))
    assert {e.object_id for e in listed} >= {str(places["by_client"].pk), str(certificates_of["by_address"].pk)}
    outside = AuditEvent.objects.get(object_type="records.record", object_id=str(places["outside"].pk))
    client = login(area_supervisor)
    assert client.get(reverse("desk:core_auditevent_change", args=[outside.pk])).status_code == 302
    everyone = login(supervisor).get(reverse("desk:core_auditevent_changelist")).context["cl"].result_count
    assert everyone == AuditEvent.objects.count()


def test_the_desk_certificate_list_and_a_certificate_page_by_url_stay_inside_the_jurisdiction(
        login, area_supervisor, supervisor, certificates_of):
    client = login(area_supervisor)
    listed = client.get(reverse("desk:certificates_certificate_changelist")).context["cl"].result_list
    assert {c.number for c in listed} == {"JD-SN-IN-1", "JD-SN-IN-2"}
    inside = client.get(reverse("desk:certificates_certificate_change", args=[certificates_of["by_client"].pk]))
    assert inside.status_code == 200 and "JD-SN-IN-1" in inside.content.decode()
    outside = client.get(reverse("desk:certificates_certificate_change", args=[certificates_of["outside"].pk]))
    assert outside.status_code == 302 and outside["Location"] == reverse("desk:index")
    everyone = login(supervisor).get(reverse("desk:certificates_certificate_changelist")).context["cl"]
    assert everyone.result_count == 3


def test_the_desk_records_list_and_a_records_pages_by_url_stay_inside_the_jurisdiction(
        login, area_supervisor, supervisor, places):
    client = login(area_supervisor)
    listed = client.get(reverse("desk:records_record_changelist")).context["cl"].result_list
    assert {r.serial_number for r in listed} == {"SN-IN-1", "SN-IN-2"}
    inside, outside = places["by_address"].pk, places["outside"].pk
    assert client.get(reverse("desk:records_record_change", args=[inside])).status_code == 200
    refused = client.get(reverse("desk:records_record_change", args=[outside]))
    assert refused.status_code == 302 and refused["Location"] == reverse("desk:index")
    assert client.get(reverse("desk:workflow_review", args=[inside])).status_code == 200
    assert client.get(reverse("desk:workflow_review", args=[outside])).status_code == 404
    assert client.get(f"/api/workflow/records/{inside}/").status_code == 200
    assert client.get(f"/api/workflow/records/{outside}/").status_code == 404
    assert login(supervisor).get(reverse("desk:workflow_review", args=[outside])).status_code == 200


def test_an_inspector_with_a_jurisdiction_still_opens_their_own_records(inspector, places):
    Person.objects.filter(pk=inspector.pk).update(jurisdiction="西湖区")
    inspector.refresh_from_db()
    assert visible_record(inspector, places["outside"].pk) == places["outside"]


def test_the_person_page_sets_the_jurisdiction_with_an_audit_row(login, admin, supervisor, default_roles):
    data = {
        "username": "jiandu", "is_active": "on", "name": "吴监督", "gender": "", "birth_date": "",
        "id_number": "", "education": "", "title": "", "position": "", "phone": "",
        "roles": [default_roles["supervisor"].pk], "jurisdiction": "西湖区，上城区",
        "qualifications-TOTAL_FORMS": "0", "qualifications-INITIAL_FORMS": "0",
        "qualifications-MIN_NUM_FORMS": "0", "qualifications-MAX_NUM_FORMS": "1000",
    }
    client = login(admin)
    page = client.get(reverse("desk:accounts_person_change", args=[supervisor.pk])).content.decode()
    assert 'name="jurisdiction"' in page
    response = client.post(reverse("desk:accounts_person_change", args=[supervisor.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Person.objects.get(pk=supervisor.pk).jurisdiction == "西湖区、上城区"
    row = AuditEvent.objects.filter(action="person.updated", object_id=str(supervisor.pk)).get()
    assert (row.actor_id, row.before, row.after) == (admin.pk, {"jurisdiction": ""}, {"jurisdiction": "西湖区、上城区"})


def test_the_people_api_reads_and_sets_the_jurisdiction_with_an_audit_row(admin, area_supervisor):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin)
    assert client.get(f"/api/people/{area_supervisor.pk}/").json()["jurisdiction"] == "西湖区、上城区"
    response = client.patch(f"/api/people/{area_supervisor.pk}/", {"jurisdiction": "滨江区"}, format="json")
    assert response.status_code == 200 and response.json()["jurisdiction"] == "滨江区"
    row = AuditEvent.objects.filter(action="person.updated", object_id=str(area_supervisor.pk)).get()
    assert (row.before, row.after) == ({"jurisdiction": "西湖区、上城区"}, {"jurisdiction": "滨江区"})


def test_a_jurisdiction_longer_than_the_field_is_refused_naming_it(admin, area_supervisor):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin)
    response = client.patch(f"/api/people/{area_supervisor.pk}/", {"jurisdiction": "区" * 201}, format="json")
    assert response.status_code == 400 and "jurisdiction" in response.json()
    assert Person.objects.get(pk=area_supervisor.pk).jurisdiction == "西湖区、上城区"
