"""People and roles over the JSON API, with the same permissions and services as the Desk."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from metrology.accounts.id_numbers import mask_id_number
from metrology.accounts.models import ApiToken, Person, Qualification, Role
from metrology.accounts.services import people, roles, tokens
from metrology.accounts.services.snapshots import PERSON_PROFILE_FIELDS
from metrology.core.api import HasCode
from metrology.core.permissions import PERMISSIONS, perm


class QualificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Qualification
        fields = ("id", "certificate_number", "issue_date", "issuing_body", "valid_until", "items")


class PersonSerializer(serializers.ModelSerializer):
    roles = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Role.objects.all(), required=False)
    qualifications = QualificationSerializer(many=True, read_only=True)
    approved_items = serializers.SerializerMethodField()
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = Person
        fields = (
            "id", "username", "name", "gender", "birth_date", "id_number", "education", "title", "position",
            "phone", "jurisdiction", "is_active", "roles", "qualifications", "approved_items", "password",
        )
        read_only_fields = ("is_active",)

    def get_approved_items(self, person: Person) -> list[str]:
        return person.approved_items()

    def to_representation(self, person: Person) -> dict:
        data = super().to_representation(person)
        request = self.context.get("request")
        if request is None or not request.user.has_perm(perm("people_view_id_number")):
            data["id_number"] = mask_id_number(person.id_number)
        return data


class RoleSerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(PERMISSIONS)), required=False
    )

    class Meta:
        model = Role
        fields = ("id", "code", "name", "description", "is_enabled", "is_builtin", "permissions")
        read_only_fields = ("is_enabled", "is_builtin")

    def to_representation(self, role: Role) -> dict:
        return {**super().to_representation(role), "permissions": role.permission_codes()}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def reason_from(request) -> dict:
    serializer = ReasonSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PersonViewSet(viewsets.ModelViewSet):
    serializer_class = PersonSerializer
    permission_classes = [HasCode]
    view_codes = ("people_query",)
    manage_codes = ("people_manage",)
    queryset = Person.objects.prefetch_related("roles", "qualifications").order_by("username")
    filter_backends = [SearchFilter]
    search_fields = ("username", "name", "position")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        password = data.pop("password", None)
        if not password:
            raise serializers.ValidationError({"password": [_("A password is required.")]})
        serializer.instance = people.person_create(
            actor=self.request.user, password=password, roles=data.pop("roles", []), **data
        )

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        person = serializer.instance
        password, new_roles = data.pop("password", None), data.pop("roles", None)
        people.person_update(actor=self.request.user, person=person,
                             **{k: v for k, v in data.items() if k in PERSON_PROFILE_FIELDS})
        if new_roles is not None:
            people.person_set_roles(actor=self.request.user, person=person, roles=new_roles)
        if password:
            people.person_set_password(actor=self.request.user, person=person, password=password)

    def destroy(self, request, *args, **kwargs) -> Response:
        deleted = people.person_delete(actor=request.user, person=self.get_object())
        return Response({"deleted": deleted, "disabled": not deleted}, status=status.HTTP_200_OK)

    @extend_schema(request=ReasonSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None) -> Response:
        person = people.person_disable(actor=request.user, person=self.get_object(), **reason_from(request))
        return Response(self.get_serializer(person).data)

    @extend_schema(request=ReasonSerializer, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None) -> Response:
        person = people.person_enable(actor=request.user, person=self.get_object(), **reason_from(request))
        return Response(self.get_serializer(person).data)

    @extend_schema(request=ReasonSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def end_sessions(self, request, pk=None) -> Response:
        """End every session and API token of the person (e.g. a lost phone)."""
        ended = tokens.person_end_sessions_and_tokens(actor=request.user, person=self.get_object(),
                                                      **reason_from(request))
        return Response({"revoked": ended})


class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = RoleSerializer
    permission_classes = [HasCode]
    view_codes = ()
    manage_codes = ("roles_manage",)
    queryset = Role.objects.prefetch_related("grants").order_by("id")

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = roles.role_create(
            actor=self.request.user, name=data["name"], code=data.get("code", ""),
            description=data.get("description", ""), permissions=data.get("permissions", []),
        )

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        role, codes = serializer.instance, data.pop("permissions", None)
        roles.role_update(actor=self.request.user, role=role,
                          **{k: v for k, v in data.items() if k in ("name", "description")})
        if codes is not None:
            roles.role_set_permissions(actor=self.request.user, role=role, codes=codes)

    @extend_schema(request=ReasonSerializer, responses=RoleSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None) -> Response:
        role = roles.role_disable(actor=request.user, role=self.get_object(), **reason_from(request))
        return Response(self.get_serializer(role).data)

    @extend_schema(request=ReasonSerializer, responses=RoleSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None) -> Response:
        role = roles.role_enable(actor=request.user, role=self.get_object(), **reason_from(request))
        return Response(self.get_serializer(role).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange an account and password for an API token; disabled accounts get none."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = authenticate(request=request, **serializer.validated_data)
        if person is None:
            raise AuthenticationFailed(_("The account or password is wrong."))
        if not person.is_active:
            raise AuthenticationFailed(_("This account has been disabled and cannot log in."))
        _token, key = tokens.token_issue(person=person)
        return Response({"token": key})


class RevokeTokenRequestSerializer(serializers.Serializer):
    all = serializers.BooleanField(required=False, default=False,
                                   help_text=gettext_lazy("End every token and session of this person, not only this token."))


class RevokeTokenView(APIView):
    """End the token this request authenticated with, or (`{"all": true}`) every token and session."""

    @extend_schema(request=RevokeTokenRequestSerializer, responses={200: None})
    def post(self, request) -> Response:
        serializer = RevokeTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["all"]:
            ended = tokens.person_end_sessions_and_tokens(actor=request.user, person=request.user)
            return Response({"revoked": ended})
        if not isinstance(request.auth, ApiToken):
            raise serializers.ValidationError(
                {"detail": _("This request was not made with a token; send all=true to end every token and session.")}
            )
        tokens.token_revoke(actor=request.user, token=request.auth)
        return Response({"revoked": 1})
