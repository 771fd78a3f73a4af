"""Login and logout of the mobile app: the platform's own authentication, plus the device's authorisation."""

from __future__ import annotations

from django.contrib.auth import authenticate, logout
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from metrology.accounts.models import Person
from metrology.devices.identifiers import normalize_imei, validate_identifier, validate_imei
from metrology.devices.models import Device
from metrology.devices.selectors import device_get
from metrology.devices.services import DEVICE_NOT_AUTHORISED, USER_AGENT_LENGTH, device_seen
from metrology.devices.sessions import device_login, session_device_identifier


class ImeiField(serializers.CharField):
    def to_internal_value(self, data) -> str:
        return normalize_imei(super().to_internal_value(data))


class DeviceLoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    device_identifier = serializers.CharField(max_length=64, validators=[validate_identifier])
    device_name = serializers.CharField(max_length=100)
    imei = ImeiField(required=False, allow_blank=True, default="", max_length=40)

    def validate_imei(self, value: str) -> str:
        if value:
            validate_imei(value)
        return value


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ("identifier", "name", "imei", "state")


class SessionSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    device = DeviceSerializer()
    csrf_token = serializers.CharField()


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


def _refused(message: str, code: str, status_code: int) -> Response:
    return Response({"detail": str(message), "code": code}, status=status_code)


def _session_answer(request, person: Person, device: Device) -> Response:
    return Response({"username": person.username, "name": person.name,
                     "device": DeviceSerializer(device).data, "csrf_token": get_token(request)})


class DeviceLoginView(APIView):
    """Log in on the mobile app. An unknown device is registered as pending and refused, as is a
    pending or disabled one; on an enabled device the session opens, bound to the device."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=DeviceLoginSerializer,
                   responses={200: SessionSerializer, 401: RefusalSerializer, 403: RefusalSerializer})
    def post(self, request) -> Response:
        serializer = DeviceLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The plain HttpRequest, so that django-axes marks a lockout where its middleware looks.
        person = authenticate(request._request, username=data["username"], password=data["password"])
        if person is None:
            return _refused(_("The account or password is wrong."), "wrong_credentials",
                            status.HTTP_401_UNAUTHORIZED)
        if not person.is_active:
            return _refused(_("This account has been disabled and cannot log in."), "account_disabled",
                            status.HTTP_401_UNAUTHORIZED)
        device = device_seen(identifier=data["device_identifier"], name=data["device_name"],
                             imei=data["imei"], person=person,
                             user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_LENGTH])
        if not device.is_enabled:
            return _refused(DEVICE_NOT_AUTHORISED, "device_not_authorised", status.HTTP_403_FORBIDDEN)
        device_login(request._request, person=person, device=device)
        return _session_answer(request, person, device)


class DeviceSessionView(APIView):
    """Who is logged in on this device, for the app's start; 401 when the session is not a device's."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: SessionSerializer, 401: RefusalSerializer})
    def get(self, request) -> Response:
        identifier = session_device_identifier(request)
        device = device_get(identifier=identifier) if identifier else None
        if not request.user.is_authenticated or device is None:
            return _refused(_("Please log in."), "not_logged_in", status.HTTP_401_UNAUTHORIZED)
        return _session_answer(request, request.user, device)


class DeviceLogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={200: None})
    def post(self, request) -> Response:
        logout(request._request)
        return Response({"logged_out": True})
