"""Registering and checking fingerprints and faces (WebAuthn, R-4.3.2.2) through the services."""

from __future__ import annotations

import copy
import time

import pytest
from django.core.exceptions import PermissionDenied
from webauthn.helpers import base64url_to_bytes

from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.passkeys import challenges, errors
from metrology.passkeys.errors import PasskeyRefused
from metrology.passkeys.models import PasskeyCredential
from metrology.passkeys.selectors import has_passkey, passkeys_of
from metrology.passkeys.services import (
    assertion_options,
    assertion_verify,
    passkey_revoke,
    registration_finish,
    registration_options,
)
from metrology.testing.webauthn import SoftAuthenticator

pytestmark = pytest.mark.django_db


def refused(message, call, **kwargs) -> PasskeyRefused:
    with pytest.raises(PasskeyRefused) as caught:
        call(**kwargs)
    assert caught.value.message == message
    return caught.value


def test_a_refusal_is_an_application_error_with_its_message():
    assert issubclass(PasskeyRefused, ApplicationError)
    assert str(PasskeyRefused(errors.NOT_CONFIRMED)) == str(errors.NOT_CONFIRMED)


def test_registration_keeps_the_credential_and_audits_it(inspector, ceremony, authenticator):
    request = ceremony(inspector)
    options = registration_options(person=inspector, request=request)
    credential = registration_finish(person=inspector, request=request, response=authenticator.register(options),
                                     name="办公室电脑")

    credential.refresh_from_db()
    assert credential.person == inspector and credential.is_enabled
    assert base64url_to_bytes(credential.credential_id) == authenticator.credential_id
    assert bytes(credential.public_key) == authenticator.cose_public_key()
    assert credential.name == "办公室电脑" and credential.device_identifier == ""
    assert credential.transports == ["internal"]
    event = AuditEvent.objects.get(action="passkey.registered")
    assert event.actor == inspector and event.object_id == str(credential.pk)


def test_registration_options_require_user_verification_and_exclude_what_is_registered(
        inspector, ceremony, registered, authenticator):
    first = registered(inspector, authenticator)
    options = registration_options(person=inspector, request=ceremony(inspector))
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "testserver" and options["rp"]["name"] == "测试计量检定所"
    assert options["user"]["name"] == "zhangsan" and options["user"]["displayName"] == "张三"
    assert [c["id"] for c in options["excludeCredentials"]] == [first.credential_id]


def test_a_credential_registered_without_a_name_is_named_after_the_browser(inspector, registered, authenticator):
    assert registered(inspector, authenticator).name == "Chrome · Windows"


def test_a_credential_registered_on_a_phone_keeps_the_phones_identifier(inspector, registered, authenticator):
    credential = registered(inspector, authenticator, device="phone-of-zhangsan")
    assert credential.device_identifier == "phone-of-zhangsan"
    assert has_passkey(inspector, "phone-of-zhangsan") and not has_passkey(inspector, "another-phone")
    assert not has_passkey(inspector, "")  # nothing registered on the Desk


def test_registration_without_a_challenge_is_refused(inspector, ceremony, authenticator):
    options = registration_options(person=inspector, request=ceremony(inspector))
    refused(errors.NO_CHALLENGE, registration_finish, person=inspector, request=ceremony(inspector),
            response=authenticator.register(options))
    assert not PasskeyCredential.objects.exists()


def test_registration_without_user_verification_is_refused(inspector, ceremony):
    touch_only = SoftAuthenticator(user_verified=False)
    request = ceremony(inspector)
    options = registration_options(person=inspector, request=request)
    refused(errors.REGISTRATION_FAILED, registration_finish, person=inspector, request=request,
            response=touch_only.register(options))
    assert not PasskeyCredential.objects.exists()


def test_registration_from_another_origin_is_refused(inspector, ceremony, authenticator):
    request = ceremony(inspector)
    options = registration_options(person=inspector, request=request)
    refused(errors.REGISTRATION_FAILED, registration_finish, person=inspector, request=request,
            response=authenticator.register(options, origin="https://phishing.example"))


def test_the_same_credential_is_registered_once(inspector, registered, authenticator):
    registered(inspector, authenticator)
    refused(errors.ALREADY_REGISTERED, registered, person=inspector, authenticator=authenticator)
    assert PasskeyCredential.objects.count() == 1


def test_a_confirmed_assertion_updates_the_credential_and_audits_it(inspector, ceremony, registered, authenticator):
    credential = registered(inspector, authenticator)
    request = ceremony(inspector)
    options = assertion_options(person=inspector, request=request)
    assert options["userVerification"] == "required"
    assert [c["id"] for c in options["allowCredentials"]] == [credential.credential_id]

    confirmed = assertion_verify(person=inspector, request=request, response=authenticator.assert_(options))

    assert confirmed.pk == credential.pk
    confirmed.refresh_from_db()
    assert confirmed.sign_count == 1 and confirmed.last_used_at is not None
    event = AuditEvent.objects.get(action="passkey.confirmed")
    assert event.actor == inspector and event.object_id == str(credential.pk)


def test_assertion_options_are_refused_to_a_person_without_a_credential(inspector, ceremony):
    refused(errors.NONE_REGISTERED, assertion_options, person=inspector, request=ceremony(inspector))


def test_assertion_options_list_this_devices_credentials_first(inspector, ceremony, registered):
    on_desk = registered(inspector, SoftAuthenticator())
    on_phone = registered(inspector, SoftAuthenticator(), device="phone-1")
    newer_on_desk = registered(inspector, SoftAuthenticator())

    on_the_phone = assertion_options(person=inspector, request=ceremony(inspector, device="phone-1"))
    on_the_desk = assertion_options(person=inspector, request=ceremony(inspector))

    assert [c["id"] for c in on_the_phone["allowCredentials"]] == [
        on_phone.credential_id, newer_on_desk.credential_id, on_desk.credential_id]
    assert on_the_desk["allowCredentials"][-1]["id"] == on_phone.credential_id


def test_an_assertion_without_a_challenge_is_refused(inspector, ceremony, registered, authenticator):
    registered(inspector, authenticator)
    options = assertion_options(person=inspector, request=ceremony(inspector))
    refused(errors.NO_CHALLENGE, assertion_verify, person=inspector, request=ceremony(inspector),
            response=authenticator.assert_(options))


def test_a_replayed_assertion_is_refused(inspector, ceremony, registered, authenticator):
    credential = registered(inspector, authenticator)
    request = ceremony(inspector)
    answer = authenticator.assert_(assertion_options(person=inspector, request=request))
    assertion_verify(person=inspector, request=request, response=answer)

    refused(errors.NO_CHALLENGE, assertion_verify, person=inspector, request=request, response=answer)
    assertion_options(person=inspector, request=request)  # a fresh challenge does not revive the old answer
    refused(errors.NOT_CONFIRMED, assertion_verify, person=inspector, request=request, response=answer)
    credential.refresh_from_db()
    assert credential.sign_count == 1
    assert AuditEvent.objects.filter(action="passkey.confirmed").count() == 1


def test_the_same_answer_sent_twice_at_once_is_taken_once(inspector, ceremony, registered):
    """Two requests of one session read the same challenge before either saves the session: the
    credential's row lock and its last challenge let only the first through, even for an
    authenticator whose counter stays at 0."""
    authenticator = SoftAuthenticator(counts=False)
    registered(inspector, authenticator)
    first = ceremony(inspector)
    answer = authenticator.assert_(assertion_options(person=inspector, request=first))
    second = ceremony(inspector)
    second.session.update(copy.deepcopy(dict(first.session.items())))

    assertion_verify(person=inspector, request=first, response=answer)
    refused(errors.NOT_CONFIRMED, assertion_verify, person=inspector, request=second, response=answer)


def test_an_assertion_with_another_persons_credential_is_refused(
        inspector, verifier, ceremony, registered, authenticator):
    theirs = registered(inspector, authenticator)
    registered(verifier, SoftAuthenticator())
    request = ceremony(verifier)
    options = assertion_options(person=verifier, request=request)
    answer = authenticator.assert_({**options, "allowCredentials": []})

    refused(errors.NOT_ENABLED, assertion_verify, person=verifier, request=request, response=answer)
    theirs.refresh_from_db()
    assert theirs.last_used_at is None


def test_a_challenge_given_to_another_person_is_refused(inspector, verifier, ceremony, registered, authenticator):
    registered(inspector, authenticator)
    registered(verifier, SoftAuthenticator())
    request = ceremony(verifier)
    options = assertion_options(person=verifier, request=request)
    refused(errors.NO_CHALLENGE, assertion_verify, person=inspector, request=request,
            response=authenticator.assert_({**options, "allowCredentials": []}))


def test_an_assertion_with_a_revoked_credential_is_refused(inspector, ceremony, registered, authenticator):
    credential = registered(inspector, authenticator)
    registered(inspector, SoftAuthenticator())  # another one still enabled, so options are given
    request = ceremony(inspector)
    options = assertion_options(person=inspector, request=request)
    passkey_revoke(actor=inspector, credential=credential)

    refused(errors.NOT_ENABLED, assertion_verify, person=inspector, request=request,
            response=authenticator.assert_({**options, "allowCredentials": []}))


def test_an_assertion_without_user_verification_is_refused(inspector, ceremony, registered, authenticator):
    credential = registered(inspector, authenticator)
    request = ceremony(inspector)
    options = assertion_options(person=inspector, request=request)
    authenticator.user_verified = False  # touched, but no fingerprint or face checked

    refused(errors.NOT_VERIFIED, assertion_verify, person=inspector, request=request,
            response=authenticator.assert_(options))
    credential.refresh_from_db()
    assert credential.sign_count == 0 and credential.last_used_at is None


def test_an_assertion_signed_by_another_key_is_refused(inspector, ceremony, registered, authenticator):
    registered(inspector, authenticator)
    impostor = SoftAuthenticator(credential_id=authenticator.credential_id)
    request = ceremony(inspector)
    refused(errors.NOT_CONFIRMED, assertion_verify, person=inspector, request=request,
            response=impostor.assert_(assertion_options(person=inspector, request=request)))


def test_an_assertion_with_a_counter_gone_back_is_refused(inspector, ceremony, registered, authenticator):
    """A counter that does not go up is the sign of a cloned authenticator."""
    registered(inspector, authenticator)
    request = ceremony(inspector)
    assertion_verify(person=inspector, request=request,
                     response=authenticator.assert_(assertion_options(person=inspector, request=request)))
    authenticator.sign_count = 0
    refused(errors.NOT_CONFIRMED, assertion_verify, person=inspector, request=request,
            response=authenticator.assert_(assertion_options(person=inspector, request=request)))


def test_an_expired_challenge_is_refused(inspector, ceremony, registered, authenticator):
    registered(inspector, authenticator)
    request = ceremony(inspector)
    answer = authenticator.assert_(assertion_options(person=inspector, request=request))
    request.session[challenges.session_key(challenges.ASSERTION)]["expires"] = time.time() - 1
    refused(errors.NO_CHALLENGE, assertion_verify, person=inspector, request=request, response=answer)


def test_a_malformed_answer_is_refused_with_the_clear_message(inspector, ceremony, registered, authenticator):
    registered(inspector, authenticator)
    request = ceremony(inspector)
    answer = authenticator.assert_(assertion_options(person=inspector, request=request))
    answer["response"]["authenticatorData"] = "not-base64url!"
    refused(errors.NOT_CONFIRMED, assertion_verify, person=inspector, request=request, response=answer)


def test_settings_name_the_relying_party_and_its_origins(inspector, ceremony, settings):
    settings.METROLOGY_WEBAUTHN_RP_ID = "jiliang.example.cn"
    settings.METROLOGY_WEBAUTHN_ORIGINS = ["https://desk.jiliang.example.cn", "https://m.jiliang.example.cn"]
    registered_here = SoftAuthenticator(origin="https://m.jiliang.example.cn", rp_id="jiliang.example.cn")
    request = ceremony(inspector)
    options = registration_options(person=inspector, request=request)
    assert options["rp"]["id"] == "jiliang.example.cn"
    registration_finish(person=inspector, request=request, response=registered_here.register(options))


def test_the_relying_party_is_the_host_without_its_port(inspector, ceremony, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    request = ceremony(inspector, host="localhost:8123")
    options = registration_options(person=inspector, request=request)
    assert options["rp"]["id"] == "localhost"
    here = SoftAuthenticator(origin="http://localhost:8123", rp_id="localhost")
    assert registration_finish(person=inspector, request=request, response=here.register(options)).pk


def test_a_person_revokes_their_own_credential_and_it_is_kept(inspector, registered, authenticator):
    credential = registered(inspector, authenticator)
    passkey_revoke(actor=inspector, credential=credential)

    credential.refresh_from_db()
    assert not credential.is_enabled and credential.revoked_at is not None
    assert list(passkeys_of(inspector)) == [credential] and not has_passkey(inspector)
    assert AuditEvent.objects.get(action="passkey.revoked").actor == inspector
    refused(errors.ALREADY_REVOKED, passkey_revoke, actor=inspector, credential=credential)
    with pytest.raises(ApplicationError):
        credential.delete()


def test_only_a_people_manager_revokes_someone_elses_credential(inspector, verifier, admin, registered,
                                                               authenticator):
    credential = registered(inspector, authenticator)
    with pytest.raises(PermissionDenied):
        passkey_revoke(actor=verifier, credential=credential)
    passkey_revoke(actor=admin, credential=credential)
    credential.refresh_from_db()
    assert not credential.is_enabled


def test_has_passkey_counts_only_enabled_credentials_anywhere_or_on_one_device(inspector, registered):
    assert not has_passkey(inspector)
    on_desk = registered(inspector, SoftAuthenticator())
    assert has_passkey(inspector) and has_passkey(inspector, "") and not has_passkey(inspector, "phone-1")
    passkey_revoke(actor=inspector, credential=on_desk)
    assert not has_passkey(inspector) and not has_passkey(inspector, "")
