"""The review chain over JSON, for the phone and the Desk: what waits for me, a record's steps and
history, taking a step with its signature, and the verifier's hand-over on the inspector's phone.

Steps are taken in a browser session only (the Desk, or the phone's device session), never with an
API token: a signature is given by the person at the screen.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.response import Response

from metrology.devices.sessions import session_device_identifier
from metrology.records.models import Record
from metrology.workflow import engine, selectors
from metrology.workflow.errors import WorkflowRefused
from metrology.workflow.models import Identity, Signature, WorkflowTransition
from metrology.workflow.signing import SignatureInput, image_from_data_url


class StepSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    signature = serializers.CharField(required=False, allow_blank=True, default="", max_length=500_000,
                                      help_text=_lazy("The handwritten signature as a PNG data URL (signature_pad)."))
    password = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                     trim_whitespace=False)
    passkey = serializers.JSONField(required=False, default=None,
                                    help_text=_lazy("A fingerprint or face assertion (WebAuthn), made with the options of "
                                                    "/api/passkeys/assertion/options/."))


class HandoverSerializer(StepSerializer):
    username = serializers.CharField(max_length=150)


def _valid(serializer_class, request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _visible_record(request, pk: int) -> Record:
    record = selectors.visible_record(request.user, pk)
    if record is None:
        raise Http404
    return record


def _record_json(record: Record) -> dict[str, Any]:
    return {
        "id": record.pk, "raw_record_number": record.raw_record_number or "", "item": record.item.code,
        "item_name": record.item.name, "sub_type": str(record.sub_type), "instrument_model": record.instrument_model,
        "serial_number": record.serial_number, "client": record.client, "inspector": record.inspector.name,
        "state": record.state, "state_name": selectors.state_names().get(record.state, record.state),
        "conclusion": record.conclusion,
        "submitted_at": record.submitted_at.isoformat() if record.submitted_at else None,
    }


def transition_json(transition: WorkflowTransition) -> dict[str, Any]:
    return {
        "action": transition.action, "label": transition.label, "to_state": transition.to_state.code,
        "signs": transition.signs, "meaning": transition.get_meaning_display() if transition.signs else "",
        "handwriting": transition.requires_handwriting, "identity": transition.identity,
        "passkey_allowed": transition.identity in (Identity.BIOMETRIC, Identity.BIOMETRIC_OR_PASSWORD),
        "password_allowed": transition.identity in (Identity.PASSWORD, Identity.BIOMETRIC_OR_PASSWORD),
        "reason": transition.requires_reason,
    }


def history_json(record: Record) -> list[dict[str, Any]]:
    out = []
    for entry in selectors.record_history(record):
        step, view = entry.step, entry.signature
        out.append({
            "label": step.label, "action": step.action, "actor": step.actor.name, "at": step.taken_at.isoformat(),
            "reason": step.reason, "device": step.device,
            "changes": [{"field": f, "before": b, "after": a} for f, b, a in entry.changes],
            "signature": None if view is None else {
                "id": view.signature.pk, "meaning": view.signature.get_meaning_display(),
                "methods": view.signature.methods, "valid": view.valid, "handed_over": view.signature.handed_over,
                "one_person_in_several_roles": view.signature.one_person_in_several_roles,
                "has_image": view.signature.image is not None},
        })
    return out


def _detail(request, record: Record) -> dict[str, Any]:
    return {**_record_json(record),
            "steps": [transition_json(t) for t in engine.available_transitions(request.user, record)],
            "history": history_json(record)}


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def waiting(request) -> Response:
    """What waits for me (R-4.3.11.3: sort by name, number, time or item; filter by item)."""
    records = selectors.waiting_for(request.user, order=request.query_params.get("order", "time"),
                                    item=request.query_params.get("item", "")[:50])
    rows = list(records[:200])
    return Response({"count": records.count() if len(rows) == 200 else len(rows),
                     "records": [_record_json(r) for r in rows]})


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def waiting_count(request) -> Response:
    return Response({"count": selectors.waiting_count(request.user)})


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def record_detail(request, pk: int) -> Response:
    return Response(_detail(request, _visible_record(request, pk)))


def _signature_input(data: dict[str, Any]) -> SignatureInput:
    return SignatureInput(image=image_from_data_url(data["signature"]), password=data["password"],
                          passkey=data["passkey"] or None)


@extend_schema(request=StepSerializer, responses={200: OpenApiTypes.OBJECT})
@api_view(["POST"])
@authentication_classes([SessionAuthentication])
def step_take(request, pk: int, action: str) -> Response:
    record = _visible_record(request, pk)
    data = _valid(StepSerializer, request)
    engine.transition_apply(actor=request.user, record=record, action=action, reason=data["reason"],
                            signature=_signature_input(data), request=request,
                            device=session_device_identifier(request) or "",
                            device_verified=bool(getattr(request, "verified_device", None)))
    return Response(_detail(request, _visible_record(request, pk)))


@extend_schema(request=HandoverSerializer, responses={200: OpenApiTypes.OBJECT})
@api_view(["POST"])
@authentication_classes([SessionAuthentication])
def handover_take(request, pk: int, action: str) -> Response:
    """The verifier acts on the inspector's phone (R-4.3.10.5): their own account and password, their own
    signature; the session stays the inspector's, so the phone is handed back as it was."""
    device = session_device_identifier(request)
    if not device:
        raise WorkflowRefused(_("Handing over works on an enabled phone only."))
    record = _visible_record(request, pk)
    data = _valid(HandoverSerializer, request)
    person = authenticate(request, username=data["username"], password=data["password"])
    if person is None:
        raise WorkflowRefused(_("The account or password is not right."), field="password")
    if person.pk == request.user.pk:
        raise WorkflowRefused(_("Hand the phone to the other person: this is your own account."), field="username")
    engine.transition_apply(actor=person, record=record, action=action, reason=data["reason"],
                            signature=SignatureInput(image=image_from_data_url(data["signature"]),
                                                     password=data["password"]),
                            request=None, device=device, device_verified=True, handed_over=True)
    return Response(_detail(request, _visible_record(request, pk)))


@extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
@api_view(["GET"])
def signature_image(request, pk: int) -> HttpResponse:
    signature = get_object_or_404(Signature.objects.select_related("record"), pk=pk)
    _visible_record(request, signature.record_id)
    if signature.image is None:
        raise Http404
    response = HttpResponse(bytes(signature.image), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
