"""Signatures bound to content (R-4.3.2.2; 《电子签名法》, 21 CFR 11.50/11.70): who, meaning, when, device, method
and the SHA-256 of the record's canonical content; a record changed after signing shows it invalid."""

from __future__ import annotations

import hashlib
import json

import pytest

from metrology.core.errors import ApplicationError
from metrology.records.models import Record
from metrology.testing.signing import api_step, drawn_png, signed, take
from metrology.workflow.canonical import FORMAT, canonical_bytes, canonical_content, content_sha256
from metrology.workflow.models import Signature
from metrology.workflow.selectors import signatures_with_validity
from metrology.workflow.signing import PASSWORD_TRIES, SignatureInput, image_from_data_url

pytestmark = pytest.mark.django_db

CANONICAL_KEYS = {"format", "record", "raw_record_number", "procedure_version", "item", "sub_type", "inspector",
                  "inputs", "results", "conclusion", "failed_items", "standards", "attachments"}


def test_the_canonical_content_is_sorted_compact_utf8_json_of_the_documented_keys(submitted):
    content = canonical_content(submitted)
    assert set(content) == CANONICAL_KEYS and content["format"] == FORMAT == "record/1"
    text = canonical_bytes(submitted).decode("utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "合格" in text  # not escaped
    assert Signature.objects.get(record=submitted).content_sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_a_value_changed_directly_in_the_database_makes_the_signature_invalid(submitted, login, supervisor):
    assert [view.valid for view in signatures_with_validity(submitted)] == [True]
    inputs = dict(submitted.inputs, V0="19.999")
    Record.objects.filter(pk=submitted.pk).update(inputs=inputs)
    record = Record.objects.get(pk=submitted.pk)
    assert [view.valid for view in signatures_with_validity(record)] == [False]
    history = login(supervisor).get(f"/api/workflow/records/{submitted.pk}/").json()["history"]
    assert history[0]["signature"]["valid"] is False


def test_a_verdict_changed_directly_in_the_database_makes_the_signature_invalid(verified):
    Record.objects.filter(pk=verified.pk).update(conclusion="不合格")
    assert [view.valid for view in signatures_with_validity(Record.objects.get(pk=verified.pk))] == [False, False]


def test_taking_steps_leaves_earlier_signatures_valid(verified):
    assert content_sha256(verified) == Signature.objects.filter(record=verified).first().content_sha256
    assert [view.valid for view in signatures_with_validity(verified)] == [True, True]


def test_a_signature_records_who_what_when_where_and_how(phone, inspector, complete):
    client, device = phone(inspector)
    record = complete()
    assert api_step(client, record.pk, "submit").status_code == 200
    signature = Signature.objects.get(record=record)
    assert (signature.signer, signature.meaning, signature.methods) == (inspector, "inspected",
                                                                         ["handwriting", "password"])
    assert (signature.device, signature.device_verified) == (device.identifier, True)
    assert signature.signed_at == signature.step.taken_at and bytes(signature.image) == drawn_png()
    image = client.get(f"/api/workflow/signatures/{signature.pk}/image/")
    assert image["Content-Type"] == "image/png" and image.content == drawn_png()


def test_a_signature_that_is_not_a_png_is_refused(complete, inspector):
    with pytest.raises(ApplicationError, match="PNG"):
        take(inspector, complete(), "submit", signature=SignatureInput(image=b"GIF89a....", password="x"))
    with pytest.raises(ApplicationError, match="PNG"):
        image_from_data_url("data:image/svg+xml;base64,PHN2Zz4=")


def test_an_oversized_signature_image_is_refused(complete, inspector):
    huge = drawn_png()[:33] + b"\x00" * (301 * 1024)
    with pytest.raises(ApplicationError, match="过大"):
        take(inspector, complete(), "submit", signature=SignatureInput(image=huge, password="x"))


def test_after_five_wrong_passwords_signing_with_a_password_waits(complete, inspector):
    record = complete()
    for _ in range(PASSWORD_TRIES):
        with pytest.raises(ApplicationError, match="密码不正确"):
            take(inspector, record, "submit", signature=signed(password="wrong"))
    with pytest.raises(ApplicationError, match="密码错误次数过多"):
        take(inspector, record, "submit")  # the right password, too late


def test_steps_cannot_be_taken_with_an_api_token(complete, inspector):
    from rest_framework.test import APIClient

    from metrology.accounts.services.tokens import token_issue

    _token, key = token_issue(person=inspector)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(f"/api/workflow/records/{complete().pk}/steps/submit/", {}, format="json")
    assert response.status_code in (401, 403)
    assert not Signature.objects.exists()
