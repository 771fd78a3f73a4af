"""Raw records over the JSON API: start a task, save values with live results (submitting is a step of
the review workflow: metrology.workflow.api).

The same services as every other caller, so the same checks (permission, qualification, order of
steps, reasons after submission). Every write needs a session opened on an authorised device (the
phone is the data-collection device, R-4.2.6); the device recorded with each value is that session's.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from metrology.accounts.jurisdiction import records_in_jurisdiction
from metrology.core.api import HasCode
from metrology.core.permissions import perm
from metrology.devices.sessions import OnAuthorisedDevice, session_device_identifier
from metrology.doctype.document_kinds import DocumentKind
from metrology.doctype.engine import effective_fields
from metrology.doctype.models import Item, TestType
from metrology.records import preview, selectors, services
from metrology.records.conditions import record_conditions, record_conditions_set
from metrology.records.entry import entry_plan, live_results
from metrology.records.models import Record, Standard
from metrology.records.photos import FILE_ID_PATTERN, content_type_of, photo_attach, photo_open

# What the app needs to draw a field; formulas stay on the server (a computed field is only shown).
FIELD_KEYS = ("key", "label", "type", "unit", "required", "options", "min", "max", "resolution", "help",
              "default", "display_interval", "max_length", "common")
WRITE_ACTIONS = frozenset({"create", "values", "standards", "attachments", "photos", "conditions"})
PREVIEW_ACTIONS = frozenset({"preview", "preview_state", "preview_pdf"})
JOB_ID = r"(?P<job>[0-9A-Za-z_-]{1,64})"


def _device(request) -> str:
    return session_device_identifier(request) or ""


def entry_field_json(field: dict[str, Any], step: int | None = None) -> dict[str, Any]:
    out = {key: field[key] for key in FIELD_KEYS if key in field}
    out["computed"] = field.get("type") == "formula"
    if step is not None:
        out["step"] = step
    if field.get("type") == "grid":
        rows = field.get("rows") if isinstance(field.get("rows"), dict) else {}
        out["rows"] = {"min": rows.get("min", 0), "max": rows.get("max")}
        out["columns"] = [entry_field_json(c) for c in field.get("columns", []) if isinstance(c, dict)]
    return out


def entry_fields(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The pinned version's fields in order, each input with its entry step (sections and computed
    fields take the step of the input before them, where the app shows them)."""
    fields, step = [], 0
    for field in effective_fields(dict(definition)):
        if not isinstance(field, dict) or not isinstance(field.get("key"), str):
            continue
        if field.get("type") not in ("formula", "section"):
            step = field.get("step", 1)
        fields.append(entry_field_json(field, step))
    return fields


class StartSerializer(serializers.Serializer):
    item = serializers.SlugRelatedField(slug_field="code", queryset=Item.objects.all())
    sub_type = serializers.PrimaryKeyRelatedField(queryset=TestType.objects.filter(parent__isnull=False))
    serial_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    instrument_model = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    client = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ValueSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=100)
    row = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    column = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    value = serializers.JSONField(allow_null=True)
    request_id = serializers.CharField(max_length=100)
    captured_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500,
                                   help_text=_("Required once the record has been submitted."))


class PreviewRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)


class PreviewJobSerializer(serializers.Serializer):
    job = serializers.CharField()


class PreviewStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[preview.WAITING, preview.DONE, preview.FAILED])
    message = serializers.CharField(allow_blank=True)
    pdf = serializers.CharField(allow_null=True, help_text=_("Where to fetch the PDF once it is done."))


class StandardUseSerializer(serializers.Serializer):
    standard = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all())


class ConditionsSerializer(serializers.Serializer):
    """All three at once; one left out is cleared. Their lengths are the service's to check (its message
    names the field)."""

    place = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                  help_text=_("Where the work was done, at most 200 characters."))
    temperature = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                        help_text=_("As read, with its unit, e.g. 20.5 ℃."))
    humidity = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                     help_text=_("As read, with its unit (percent relative humidity)."))
    request_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class AttachmentSerializer(serializers.Serializer):
    file_id = serializers.CharField(max_length=200)
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text=_("A JPEG, PNG or WebP photo of at most 8 MB."))
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    request_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                                       help_text=_("The same request id again attaches the photo once."))


class RecordSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.label")
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    sub_type = serializers.CharField(source="sub_type.name")
    test_type = serializers.SerializerMethodField()
    inspector = serializers.CharField(source="inspector.username")
    standards = serializers.SerializerMethodField()
    conditions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = ("id", "version", "item", "item_name", "test_type", "sub_type", "inspector", "state",
                  "raw_record_number", "client", "serial_number", "instrument_model", "inputs",
                  "results", "conclusion", "failed_items", "prefilled_from", "standards", "conditions",
                  "attachments", "created_at", "updated_at", "first_submitted_at", "submitted_at")
        read_only_fields = fields

    def get_test_type(self, record: Record) -> str:
        return _test_type_name(record.sub_type)

    def get_standards(self, record: Record) -> list[dict[str, Any]]:
        return [{"id": u.standard_id, "name": u.standard.name, "certificate_number": u.standard.certificate_number,
                 "measuring_range": u.standard.measuring_range, "accuracy": u.standard.accuracy,
                 "valid_until": u.valid_until.isoformat()} for u in record.standards_used.select_related("standard")]

    def get_conditions(self, record: Record) -> dict[str, str]:
        return record_conditions(record)

    def get_attachments(self, record: Record) -> list[dict[str, Any]]:
        return [{"file_id": a.file_id, "caption": a.caption} for a in record.attachments.all()]


def _test_type_name(sub_type: TestType) -> str:
    return sub_type.parent.name if sub_type.parent_id else sub_type.name


def _answered(live: dict[str, Any]) -> dict[str, Any]:
    """The live results with the verdict also under plain keys, for clients that keep code ASCII."""
    return {**live, "conclusion": live["检定结论"], "failed_items": live["不合格项目"]}


def _own_record_for_entry(person, pk) -> Record:
    """The person's own record by id, light (only what the view reads): entry is the inspector's,
    so anyone else's record answers 404 as one that does not exist."""
    found = Record.objects.filter(pk=pk, inspector=person).only("pk", "first_submitted_at").first() \
        if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def _live(record: Record) -> dict[str, Any]:
    return _answered(live_results(entry_plan(record.version.definition), record.inputs,
                                  selectors.record_context(record)))


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Raw records: an inspector's tasks (list), one record, and its entry."""

    serializer_class = RecordSerializer
    permission_classes = [HasCode]
    view_codes = ("records_query",)
    manage_codes = ("records_enter",)

    def get_permissions(self):
        if self.action in WRITE_ACTIONS:
            return [HasCode(), OnAuthorisedDevice()]
        if self.action in PREVIEW_ACTIONS:  # whoever may read the record (preview.may_preview decides)
            return [IsAuthenticated()]
        return [HasCode()]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.tasks_of(inspector=user)
        if user.has_perm(perm("records_query")):
            return records_in_jurisdiction(user, selectors.records())
        return selectors.records().filter(inspector=user)

    @extend_schema(request=StartSerializer, responses=RecordSerializer)
    def create(self, request) -> Response:
        """Start a task: a new record of an item × sub-type (only with a valid qualification)."""
        data = _valid(StartSerializer, request)
        record = services.record_start(actor=request.user, device=_device(request), **data)
        return Response({**RecordSerializer(record).data, "live": _live(record)}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: None})
    @action(detail=False, methods=["get"])
    def startable(self, request) -> Response:
        """The items and sub-types this person may start a task on."""
        found = selectors.startable_procedures(inspector=request.user, on=timezone.localdate())
        return Response([{"item": p.item.code, "item_name": p.item.name, "sub_type": p.sub_type_id,
                          "sub_type_name": str(p.sub_type), "test_type": _test_type_name(p.sub_type),
                          "sub_type_short_name": p.sub_type.name, "procedure": p.code} for p in found])

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def entry(self, request, pk=None) -> Response:
        """What the app needs to enter the record: the record, its pinned version's fields in entry
        order with their steps, and the live results."""
        record = self.get_object()
        return Response({"record": RecordSerializer(record).data,
                         "fields": entry_fields(record.version.definition), "live": _live(record)})

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None) -> Response:
        """The live results: computed values, rule results, verdict, errors and what is missing."""
        return Response(_live(self.get_object()))

    @extend_schema(request=ValueSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def values(self, request, pk=None) -> Response:
        """Save one value (idempotent by request_id) and get the live results back."""
        record = _own_record_for_entry(request.user, pk)  # the service loads it once more, locked
        data = _valid(ValueSerializer, request)
        reason = data.pop("reason")
        if record.ever_submitted and reason.strip():
            outcome = services.value_change_after_submission(actor=request.user, record=record, reason=reason,
                                                             device=_device(request), **data)
        else:
            outcome = services.value_save(actor=request.user, record=record, device=_device(request), **data)
        return Response({"saved": outcome.value.pk, "repeated": outcome.repeated, "live": _answered(outcome.live)})

    @extend_schema(request=PreviewRequestSerializer, responses={202: PreviewJobSerializer})
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None) -> Response:
        """Ask for a PDF preview of the raw record or of the certificate or notice its verdict gives;
        a job makes it (poll the state)."""
        job = preview.preview_request(actor=request.user, record=self.get_object(),
                                      **_valid(PreviewRequestSerializer, request))
        return Response({"job": job}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=PreviewStateSerializer)
    @action(detail=True, methods=["get"], url_path=f"preview/{JOB_ID}")
    def preview_state(self, request, pk=None, job=None) -> Response:
        """Whether the preview is done: waiting, done (with the PDF's address) or failed (with the reason)."""
        record = self.get_object()
        state, pdf, message = preview.preview_outcome(record, job)
        pdf_url = request.build_absolute_uri("pdf/") if state == preview.DONE else None
        return Response({"state": state, "message": message, "pdf": pdf_url})

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path=f"preview/{JOB_ID}/pdf")
    def preview_pdf(self, request, pk=None, job=None) -> HttpResponse:
        state, pdf, message = preview.preview_outcome(self.get_object(), job)
        if state != preview.DONE:
            return Response({"state": state, "detail": message}, status=status.HTTP_409_CONFLICT)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="record-{pk}-preview.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=StandardUseSerializer, responses=RecordSerializer)
    @action(detail=True, methods=["post"])
    def standards(self, request, pk=None) -> Response:
        record = self.get_object()
        services.record_standard_add(actor=request.user, record=record, **_valid(StandardUseSerializer, request))
        return Response(RecordSerializer(selectors.record_get(pk=record.pk)).data)

    @extend_schema(request=ConditionsSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def conditions(self, request, pk=None) -> Response:
        """Note the place of the work and the ambient temperature and relative humidity (while the
        record is in its inspector's hands); answers the record's conditions."""
        record = record_conditions_set(actor=request.user, record=self.get_object(),
                                       **_valid(ConditionsSerializer, request))
        return Response(record_conditions(record))

    @extend_schema(request=AttachmentSerializer, responses=RecordSerializer)
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None) -> Response:
        record = self.get_object()
        services.record_attachment_add(actor=request.user, record=record, **_valid(AttachmentSerializer, request))
        return Response(RecordSerializer(selectors.record_get(pk=record.pk)).data)

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: RecordSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None) -> Response:
        """Attach a photo taken on site (JPEG, PNG or WebP, checked by its content)."""
        record = self.get_object()
        data = _valid(PhotoUploadSerializer, request)
        stored = photo_attach(actor=request.user, record=record, upload=data.pop("photo"), **data)
        body = {**RecordSerializer(selectors.record_get(pk=record.pk)).data,
                "file_id": stored.attachment.file_id, "repeated": stored.repeated}
        return Response(body, status=status.HTTP_200_OK if stored.repeated else status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"], url_path=f"photos/(?P<file_id>{FILE_ID_PATTERN})")
    def photo(self, request, pk=None, file_id=None):
        """A photo of the record, for whoever may read the record."""
        handle = photo_open(self.get_object(), file_id)
        if handle is None:
            return Response({"detail": _("No such photo.")}, status=status.HTTP_404_NOT_FOUND)
        response = FileResponse(handle, content_type=content_type_of(file_id))
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="{file_id}"'
        response["Cache-Control"] = "private, max-age=86400"
        return response


class StandardSerializer(serializers.ModelSerializer):
    usable = serializers.SerializerMethodField(help_text=_("Valid today, so it can be used for a record."))

    class Meta:
        model = Standard
        fields = ("id", "name", "certificate_number", "measuring_range", "accuracy", "valid_from",
                  "valid_until", "usable")

    def get_usable(self, standard: Standard) -> bool:
        return standard.is_valid_on(timezone.localdate())


class StandardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The measurement standards valid today, to choose those used for a record; with
    `?all=1` the whole equipment list, each saying whether it can be used today."""

    serializer_class = StandardSerializer
    permission_classes = [HasCode]
    view_codes = ("records_query", "records_enter")
    manage_codes = ()

    def get_queryset(self):
        if self.request.query_params.get("all") == "1":
            return Standard.objects.all()
        return selectors.valid_standards(on=timezone.localdate())


def _valid(serializer_class, request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
