"""The JSON API of fingerprint and face credentials, for the logged-in person (session only: the
ceremony's challenge lives in the session, and CSRF is checked as for every session write).

Signing endpoints elsewhere (workflow) take the assertion made from /assertion/options/ in their
own request body and call services.assertion_verify themselves.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from metrology.passkeys import services
from metrology.passkeys.models import PasskeyCredential
from metrology.passkeys.selectors import passkeys_of


class PasskeySerializer(serializers.ModelSerializer):
    class Meta:
        model = PasskeyCredential
        fields = ("id", "name", "device_identifier", "transports", "created_at", "last_used_at", "is_enabled",
                  "revoked_at")
        read_only_fields = fields


class RegistrationSerializer(serializers.Serializer):
    credential = serializers.DictField(help_text=_("The answer of navigator.credentials.create() as JSON."))
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class AssertionSerializer(serializers.Serializer):
    credential = serializers.DictField(help_text=_("The answer of navigator.credentials.get() as JSON."))


class ConfirmedSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField()
    passkey = PasskeySerializer()


class PasskeyView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]


class PasskeyListView(PasskeyView):
    @extend_schema(responses={200: PasskeySerializer(many=True)})
    def get(self, request) -> Response:
        return Response(PasskeySerializer(passkeys_of(request.user), many=True).data)


class RegistrationOptionsView(PasskeyView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request) -> Response:
        return Response(services.registration_options(person=request.user, request=request))


class RegistrationView(PasskeyView):
    @extend_schema(request=RegistrationSerializer, responses={201: PasskeySerializer})
    def post(self, request) -> Response:
        data = _valid(RegistrationSerializer, request)
        credential = services.registration_finish(person=request.user, request=request,
                                                  response=data["credential"], name=data["name"])
        return Response(PasskeySerializer(credential).data, status=201)


class AssertionOptionsView(PasskeyView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request) -> Response:
        return Response(services.assertion_options(person=request.user, request=request))


class AssertionView(PasskeyView):
    """Check one's own fingerprint or face (e.g. a newly registered one) without signing anything."""

    @extend_schema(request=AssertionSerializer, responses={200: ConfirmedSerializer})
    def post(self, request) -> Response:
        data = _valid(AssertionSerializer, request)
        credential = services.assertion_verify(person=request.user, request=request, response=data["credential"])
        return Response({"confirmed": True, "passkey": PasskeySerializer(credential).data})


class RevokeView(PasskeyView):
    """Revoke one of one's own credentials (people managers revoke others' from the service)."""

    @extend_schema(request=None, responses={200: PasskeySerializer})
    def post(self, request, pk: int) -> Response:
        credential = get_object_or_404(passkeys_of(request.user), pk=pk)
        return Response(PasskeySerializer(services.passkey_revoke(actor=request.user, credential=credential)).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
