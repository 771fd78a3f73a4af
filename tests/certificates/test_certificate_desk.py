"""The Desk's certificate list (R-4.3.12.6, R-4.2.4.3): sorted, filtered and searched on whitelisted fields
only, in a fixed number of queries; one certificate's files downloaded by number (R-4.2.4.4)."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrology.certificates.models import Certificate
from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record
from metrology.workflow.models import RecordStep

pytestmark = pytest.mark.django_db

LIST = "desk:certificates_certificate_changelist"


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")


@pytest.fixture
def certificate_of(start, approver):
    """A certificate row on a record of its own, with stored PDF files (no LibreOffice needed)."""

    def make(number: str, *, client: str = "示范加油站", serial: str = "", conclusion: str = "合格",
             issued: dt.datetime | None = None, kind: str = DocumentKind.CERTIFICATE,
             state: str = Certificate.State.ISSUED, raw: bool = True) -> Certificate:
        record = start(serial_number=serial or f"SN-{number}", client=client, instrument_model="JS-2")
        Record.objects.filter(pk=record.pk).update(conclusion=conclusion)
        approval = RecordStep.objects.create(record=record, action="approve", label="批准", from_state="verified",
                                             to_state="approved", actor=approver)
        pdf, raw_pdf = f"%PDF-1.7 {number}".encode(), f"%PDF-1.7 raw {number}".encode()
        issued = issued or timezone.now()
        return Certificate.objects.create(
            record=record, approval=approval, kind=kind, number=number, state=state, numbered_at=issued,
            issued_at=issued if state != Certificate.State.NUMBERED else None,
            pdf=default_storage.save(f"certificates/{number}.pdf", ContentFile(pdf)) if state != "numbered" else "",
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            raw_record_pdf=default_storage.save(f"certificates/{number}-raw.pdf", ContentFile(raw_pdf)) if raw else "",
            raw_record_sha256=hashlib.sha256(raw_pdf).hexdigest() if raw else "")

    return make


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [c.number for c in response.context["cl"].result_list]


def _day(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def test_the_list_shows_number_instrument_client_conclusion_inspector_and_state(login, admin, certificate_of):
    certificate_of("JD-2026-00001", client="东方加油站", serial="JY-7")
    page = login(admin).get(reverse(LIST)).content.decode()
    for shown in ("JD-2026-00001", "燃油加油机 JS-2 JY-7", "东方加油站", "合格", "张三"):
        assert shown in page, shown
    assert 'id="download-all"' in page


def test_the_list_sorts_by_number_issue_time_and_instrument(login, admin, certificate_of):
    certificate_of("B-2", issued=_day("2026-03-02 10:00"))
    certificate_of("A-1", issued=_day("2026-03-05 10:00"))
    certificate_of("C-3", issued=_day("2026-03-01 10:00"))
    client = login(admin)
    columns = ["number", "kind", "instrument", "test_type", "client", "conclusion", "inspector", "issued_at", "state"]
    by = {name: str(columns.index(name) + 1) for name in columns}
    assert _numbers(client.get(reverse(LIST), {"o": by["number"]})) == ["A-1", "B-2", "C-3"]
    assert _numbers(client.get(reverse(LIST), {"o": f"-{by['number']}"})) == ["C-3", "B-2", "A-1"]
    assert _numbers(client.get(reverse(LIST), {"o": by["issued_at"]})) == ["C-3", "B-2", "A-1"]
    for column in ("instrument", "test_type", "kind"):
        assert client.get(reverse(LIST), {"o": by[column]}).status_code == 200


def test_the_list_filters_by_issue_dates_both_days_included(login, admin, certificate_of):
    certificate_of("D-1", issued=_day("2026-03-01 08:00"))
    certificate_of("D-2", issued=_day("2026-03-02 23:30"))
    certificate_of("D-3", issued=_day("2026-03-03 00:10"))
    client = login(admin)
    found = _numbers(client.get(reverse(LIST), {"issued_at__gte": "2026-03-02", "issued_at__lte": "2026-03-02"}))
    assert found == ["D-2"]
    assert sorted(_numbers(client.get(reverse(LIST), {"issued_at__gte": "2026-03-02"}))) == ["D-2", "D-3"]
    assert client.get(reverse(LIST), {"issued_at__gte": "not-a-date"}).status_code in (302, 400)


def test_the_list_filters_by_conclusion_state_kind_item_and_test_type(login, admin, certificate_of, dispenser,
                                                                     initial):
    certificate_of("R-1", conclusion="合格")
    certificate_of("R-2", conclusion="不合格", kind=DocumentKind.NOTICE)
    certificate_of("R-3", state=Certificate.State.VOID)
    client = login(admin)
    assert _numbers(client.get(reverse(LIST), {"record__conclusion__exact": "不合格"})) == ["R-2"]
    assert _numbers(client.get(reverse(LIST), {"kind__exact": DocumentKind.NOTICE})) == ["R-2"]
    assert _numbers(client.get(reverse(LIST), {"state__exact": "void"})) == ["R-3"]
    assert len(_numbers(client.get(reverse(LIST), {"record__item__id__exact": dispenser.pk}))) == 3
    assert len(_numbers(client.get(reverse(LIST), {"test_type": initial.pk}))) == 3
    assert _numbers(client.get(reverse(LIST), {"test_type": initial.pk + 1000})) == []
    assert client.get(reverse(LIST), {"test_type": "1 OR 1=1"}).status_code in (302, 400)


def test_keywords_find_by_client_number_or_serial_number(login, admin, certificate_of):
    certificate_of("K-100", client="西山石化", serial="SER-A")
    certificate_of("K-200", client="东湖能源", serial="SER-B")
    client = login(admin)
    assert _numbers(client.get(reverse(LIST), {"q": "西山"})) == ["K-100"]
    assert _numbers(client.get(reverse(LIST), {"q": "K-200"})) == ["K-200"]
    assert _numbers(client.get(reverse(LIST), {"q": "SER-B"})) == ["K-200"]


def test_the_list_refuses_lookups_it_does_not_offer(login, admin, certificate_of):
    certificate_of("P-1")
    client = login(admin)
    for lookup in ("public_token__startswith", "number__startswith", "record__inputs__contains", "pdf_sha256__gte",
                   "record__inspector__password__startswith", "approval__actor__password__startswith",
                   "voided_by__id_number__startswith", "issued_at__year", "record__client__regex"):
        assert client.get(reverse(LIST), {lookup: "a"}).status_code == 400, lookup
    page = client.get(reverse(LIST), {"q": "P-1"}).context["cl"]
    assert page.result_count == 1
    assert client.get(reverse(LIST), {"o": "99"}).status_code == 200  # an unknown column sorts by the default


def test_the_list_asks_the_database_a_fixed_number_of_times(login, admin, certificate_of):
    client = login(admin)
    certificate_of("Q-1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(LIST)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(2, 12):
        certificate_of(f"Q-{n}", conclusion="不合格" if n % 2 else "合格", state="void" if n == 5 else "issued")
    assert queries() == few


def test_only_people_who_may_query_certificates_see_the_list_and_files(login, outsider, certificate_of):
    certificate = certificate_of("S-1")
    client = login(outsider)
    assert client.get(reverse(LIST)).status_code == 403
    url = reverse("desk:certificates_certificate_file", args=[certificate.pk, "pdf"])
    assert client.get(url).status_code == 403


def test_nobody_adds_changes_or_deletes_certificates_in_the_desk(login, admin, certificate_of):
    certificate = certificate_of("W-1")
    client = login(admin)
    assert client.get(reverse("desk:certificates_certificate_add")).status_code == 403
    assert client.get(reverse("desk:certificates_certificate_delete", args=[certificate.pk])).status_code == 403
    page = client.get(reverse("desk:certificates_certificate_change", args=[certificate.pk]))
    assert page.status_code == 200 and b'name="number"' not in page.content
    assert client.post(reverse("desk:certificates_certificate_change", args=[certificate.pk]),
                       {"number": "X"}).status_code == 403
    assert "delete_selected" not in client.get(reverse(LIST)).context["cl"].model_admin.get_actions(
        client.get(reverse(LIST)).wsgi_request)


def test_a_certificate_downloads_as_its_number_and_its_raw_record_beside_it(login, admin, certificate_of):
    certificate = certificate_of("JD-2026-00042")
    client = login(admin)
    page = client.get(reverse("desk:certificates_certificate_change", args=[certificate.pk])).content.decode()
    pdf_url = reverse("desk:certificates_certificate_file", args=[certificate.pk, "pdf"])
    raw_url = reverse("desk:certificates_certificate_file", args=[certificate.pk, "raw-record"])
    assert pdf_url in page and raw_url in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="JD-2026-00042.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 JD-2026-00042"
    raw = client.get(raw_url)
    assert raw["Content-Disposition"].startswith("attachment; filename*=utf-8''JD-2026-00042-")
    assert b"".join(raw.streaming_content) == b"%PDF-1.7 raw JD-2026-00042"
    assert client.get(reverse("desk:certificates_certificate_file", args=[certificate.pk, "original"])).status_code \
        == 404  # only a voided certificate has an original apart from its current PDF


def test_a_chinese_number_is_named_with_rfc_5987(login, admin, certificate_of):
    certificate = certificate_of("京检字第2026-001号")
    response = login(admin).get(reverse("desk:certificates_certificate_file", args=[certificate.pk, "pdf"]))
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('京检字第2026-001号.pdf')}"


def test_a_void_certificate_downloads_its_voided_pdf_and_keeps_the_original(login, admin, certificate_of):
    certificate = certificate_of("V-1")
    Certificate.objects.filter(pk=certificate.pk).update(
        state=Certificate.State.VOID, void_pdf=default_storage.save("certificates/V-1-void.pdf",
                                                                    ContentFile(b"%PDF-1.7 void")))
    client = login(admin)
    current = client.get(reverse("desk:certificates_certificate_file", args=[certificate.pk, "pdf"]))
    assert b"".join(current.streaming_content) == b"%PDF-1.7 void"
    original = client.get(reverse("desk:certificates_certificate_file", args=[certificate.pk, "original"]))
    assert b"".join(original.streaming_content) == b"%PDF-1.7 V-1"


def test_a_certificate_still_being_made_has_nothing_to_download(login, admin, certificate_of):
    certificate = certificate_of("N-1", state=Certificate.State.NUMBERED, raw=False)
    client = login(admin)
    assert client.get(reverse("desk:certificates_certificate_file", args=[certificate.pk, "pdf"])).status_code == 404
    assert client.get(reverse("desk:certificates_certificate_file", args=[certificate.pk, "x"])).status_code == 404
