"""The institute's signing certificate and seal replaced in the Desk (R-4.3.12.4), and a certificate that
failed to be made issued again by someone allowed to."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from metrology.certificates.models import Certificate
from metrology.certificates.seal import seal_path
from metrology.core.models import AuditEvent
from metrology.testing.pdf_tools import pdfsig

pytestmark = pytest.mark.django_db

PAGE = "/desk/certificates/signing/"


@pytest.fixture(autouse=True)
def own_signing_folder(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"


@pytest.fixture
def document_manager(make_person):
    return make_person("zhaoliu", "赵六", "document_manager")


def institute_pkcs12(password: str, name: str = "示范计量检定所（签章）") -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=365))
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=True, crl_sign=False, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(b"institute", key, certificate, None,
                                                 serialization.BestAvailableEncryption(password.encode()))


def _upload(client, data: bytes, password: str):
    return client.post(PAGE, {"install_certificate": "1", "password": password,
                              "file": SimpleUploadedFile("institute.p12", data, "application/x-pkcs12")})


def test_an_uploaded_pkcs12_signs_the_certificates_issued_after_it(login, document_manager, approved, jobs):
    client = login(document_manager)
    assert _upload(client, institute_pkcs12("Mima-2026"), "Mima-2026").status_code == 302
    assert "示范计量检定所（签章）" in client.get(PAGE).content.decode()
    event = AuditEvent.objects.get(action="signing_certificate.installed")
    assert (event.actor_id, event.after["subject"]) == (document_manager.pk, "示范计量检定所（签章）")
    jobs.run()
    with default_storage.open(Certificate.objects.get(record=approved).pdf, "rb") as handle:
        report = pdfsig(handle.read())
    assert "Signature is Valid" in report and "示范计量检定所（签章）" in report


def test_a_wrong_password_is_refused_at_its_field_and_changes_nothing(login, document_manager, settings):
    page = _upload(login(document_manager), institute_pkcs12("Mima-2026"), "wrong")
    assert page.status_code == 200 and page.context["certificate_form"].errors["password"]
    assert not (settings.SIGNING_DIR / "signing-cert.pem").exists()
    assert not AuditEvent.objects.filter(action="signing_certificate.installed").exists()


def test_a_seal_must_be_a_png_and_a_new_one_is_kept(login, document_manager):
    from PIL import Image

    client = login(document_manager)
    refused = client.post(PAGE, {"install_seal": "1", "seal": SimpleUploadedFile("seal.gif", b"GIF89a...", "image/gif")})
    assert refused.status_code == 200 and refused.context["seal_form"].errors["seal"]
    out = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 0, 0, 255)).save(out, "PNG")
    assert client.post(PAGE, {"install_seal": "1", "seal": SimpleUploadedFile("seal.png", out.getvalue(),
                                                                             "image/png")}).status_code == 302
    assert seal_path().read_bytes() == out.getvalue()


def test_people_who_may_not_edit_certificates_cannot_open_the_page(login, inspector):
    assert login(inspector).get(PAGE).status_code == 403


def test_a_certificate_that_failed_is_issued_again_from_the_desk(login, document_manager, approved, jobs,
                                                                 monkeypatch, django_capture_on_commit_callbacks):
    from metrology.certificates import services

    monkeypatch.setattr(services, "certificate_pdf", lambda certificate, issued_on: (_ for _ in ()).throw(
        RuntimeError("converter stopped")))
    jobs.run()
    monkeypatch.undo()
    waiting = Certificate.objects.get(record=approved)
    assert waiting.state == Certificate.State.NUMBERED
    with django_capture_on_commit_callbacks(execute=True):
        answer = login(document_manager).post("/desk/certificates/certificate/",
                                               {"action": "issue_again", "_selected_action": [waiting.pk]})
    assert answer.status_code == 302
    jobs.run()
    issued = Certificate.objects.get(pk=waiting.pk)
    assert (issued.state, issued.number) == (Certificate.State.ISSUED, waiting.number)
    assert AuditEvent.objects.filter(action="certificate.issue_again", object_id=str(waiting.pk)).exists()
