"""The phone's side of the review chain (#11): the shell carries what the signing sheet needs, and the
steps a verifier may take on the inspector's phone (hand-over) are offered on the inspector's own
submitted record only."""

from __future__ import annotations

import json
import re

import pytest

from metrology.testing.fuel import fuel_example
from metrology.testing.personas import PASSWORD
from metrology.testing.signing import api_step, drawn_data_url

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")


@pytest.fixture
def submitted(phone, inspector, start, enter, raw_record_scheme):
    """A complete record of the inspector's, submitted from their phone: (phone client, record)."""
    client, _device = phone(inspector)
    record = start()
    enter(record, F1["inputs"])
    assert api_step(client, record.pk, "submit").status_code == 200
    record.refresh_from_db()
    return client, record


def test_the_app_page_carries_the_signing_modules_and_the_review_texts(client):
    page = client.get("/m/").content.decode()
    assert 'data-signature-pad-url="/static/vendor/signature_pad/signature_pad.js"' in page
    assert 'data-passkeys-url="/static/metrology/passkeys.js"' in page
    assert 'data-workflow-url="/api/workflow/"' in page and 'data-handover-steps-url="/m/handover/"' in page
    block = re.search(r'<script id="mobile-text" type="application/json">(.*?)</script>', page, re.S)
    text = json.loads(block[1])
    for key in ("signHere", "signatureEmpty", "handoverStart", "waitingTab", "passkeyRegister", "order_item",
                "method_biometric", "signatureInvalid"):
        assert text[key], key
    assert client.get("/static/vendor/signature_pad/signature_pad.js").status_code == 200


def test_the_inspector_is_offered_the_verifiers_steps_on_their_own_submitted_record(submitted):
    client, record = submitted
    steps = client.get(f"/m/handover/{record.pk}/").json()["steps"]
    assert [(s["action"], s["handwriting"], s["reason"]) for s in steps] == [("verify", True, False),
                                                                            ("return", False, True)]


def test_the_handover_steps_are_refused_on_someone_elses_record_and_without_a_phone(
        submitted, phone, verifier, client, inspector):
    _client, record = submitted
    verifier_phone, _device = phone(verifier)
    assert verifier_phone.get(f"/m/handover/{record.pk}/").status_code == 404
    client.force_login(inspector)  # a Desk session: no phone
    assert client.get(f"/m/handover/{record.pk}/").status_code == 403


def test_a_verifier_verifies_on_the_inspectors_phone_and_the_session_stays_the_inspectors(
        submitted, verifier, inspector):
    from metrology.workflow.models import Signature

    client, record = submitted
    answer = client.post(f"/api/workflow/records/{record.pk}/handover/verify/",
                         {"username": verifier.username, "password": PASSWORD, "signature": drawn_data_url()},
                         format="json")
    assert answer.status_code == 200, answer.json()
    signature = Signature.objects.get(record=record, meaning="verified")
    assert (signature.signer, signature.handed_over, signature.device_verified) == (verifier, True, True)
    assert client.get("/api/devices/session/").json()["username"] == inspector.username
