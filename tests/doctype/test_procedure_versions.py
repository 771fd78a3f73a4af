"""Versioned procedures (R-4.3.5.3, R-4.3.5.8–9): draft → published → retired; published never changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from metrology.core.models import AuditEvent
from metrology.doctype.engine import compute
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.models import Item, ProcedureVersion, TestType
from metrology.doctype.packs import pack_import
from metrology.doctype.selectors import version_by_label
from metrology.doctype.services import procedure_create, version_new_draft, version_publish, version_save_draft

pytestmark = pytest.mark.django_db

PACK = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"


@pytest.fixture
def fuel():
    return json.loads(PACK.read_text(encoding="utf-8"))


@pytest.fixture
def published(admin, fuel):
    return pack_import(actor=admin, definition=fuel, authorise=True, publish=True)


def test_default_test_types_have_their_sub_types():
    verification = TestType.objects.get(parent=None, name="检定")
    assert {"首次检定", "后续检定", "使用中检查"} <= set(verification.sub_types.values_list("name", flat=True))
    assert TestType.objects.filter(parent__name="校准").exists()


def test_pack_import_makes_one_published_procedure_per_sub_type(published):
    assert [v.label for v in published] == ["JJG443-FD-首次检定@1", "JJG443-FD-后续检定@1"]
    assert all(v.status == ProcedureVersion.Status.PUBLISHED for v in published)
    assert Item.objects.get(code="JJG443-FD").is_authorised
    assert AuditEvent.objects.filter(action="procedure.published").count() == 2


def test_importing_the_same_pack_again_makes_no_new_version(admin, fuel, published):
    again = pack_import(actor=admin, definition=fuel, authorise=True, publish=True)
    assert [v.pk for v in again] == [v.pk for v in published]


def test_a_published_version_never_changes(published):
    version = ProcedureVersion.objects.get(pk=published[0].pk)
    version.definition["name"] = "改过的名称"
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ProcedureRefused):
        version_save_draft(actor=None, version=version, definition=version.definition)


def test_editing_after_publishing_makes_version_2_and_version_1_computes_as_before(admin, published, fuel):
    v1 = published[0]
    inputs = fuel["test_cases"][0]["inputs"]
    before = compute(version_by_label(v1.label).definition, inputs).to_json()

    draft = version_new_draft(actor=admin, procedure=v1.procedure)
    assert draft.number == 2 and draft.status == ProcedureVersion.Status.DRAFT
    changed = copy.deepcopy(draft.definition)
    table = next(t for t in changed["tables"] if any("beta_Y" in row for row in t["rows"]))
    for row in table["rows"]:
        if "beta_Y" in row:
            row["beta_Y"] = "0.0013"
    changed["test_cases"] = []
    version_save_draft(actor=admin, version=draft, definition=changed)

    with pytest.raises(ProcedureRefused, match="测试用例"):
        version_publish(actor=admin, version=draft)
    assert compute(version_by_label(f"{v1.procedure.code}@1").definition, inputs).to_json() == before
    assert compute(version_by_label(f"{v1.procedure.code}@2").definition, inputs).to_json() != before


def test_publishing_is_refused_while_a_test_case_fails(admin, published):
    draft = version_new_draft(actor=admin, procedure=published[0].procedure)
    definition = copy.deepcopy(draft.definition)
    definition["test_cases"][0]["expected"]["检定结论"] = "不合格"
    version_save_draft(actor=admin, version=draft, definition=definition)
    with pytest.raises(ProcedureRefused) as caught:
        version_publish(actor=admin, version=draft)
    assert "F1" in caught.value.message
    assert ProcedureVersion.objects.get(pk=draft.pk).status == ProcedureVersion.Status.DRAFT


def test_publishing_version_2_retires_version_1(admin, published):
    draft = version_new_draft(actor=admin, procedure=published[0].procedure)
    definition = dict(draft.definition, about="第二版")
    version_publish(actor=admin, version=version_save_draft(actor=admin, version=draft, definition=definition))
    assert ProcedureVersion.objects.get(pk=published[0].pk).status == ProcedureVersion.Status.RETIRED
    assert version_by_label(published[0].procedure.code).number == 2


def test_invalid_definitions_are_refused_with_located_problems(admin, published):
    draft = version_new_draft(actor=admin, procedure=published[0].procedure)
    broken = copy.deepcopy(draft.definition)
    grid = next(f for f in broken["fields"] if f["key"] == "runs")
    column = next(c for c in grid["columns"] if c.get("type") == "formula")
    column["expression"] = "=V_B * (1 + 未知量)"
    with pytest.raises(ProcedureRefused) as caught:
        version_save_draft(actor=admin, version=draft, definition=broken)
    problem = caught.value.problems[0]
    assert problem.code == "unknown_name" and problem.column is not None


def test_unauthorised_items_cannot_get_procedures(admin, fuel):
    item = Item.objects.create(code="X-1", name="未授权项目", is_authorised=False)
    sub_type = TestType.objects.get(name="首次检定")
    with pytest.raises(ProcedureRefused, match="R-4.3.5.3"):
        procedure_create(actor=admin, item=item, sub_type=sub_type, code="X-1-P", name="x", definition=fuel)


def test_an_imported_item_stays_unauthorised_unless_asked(admin, fuel):
    with pytest.raises(ProcedureRefused):
        pack_import(actor=admin, definition=fuel, authorise=False, publish=False)
    assert not Item.objects.filter(code="JJG443-FD").exists()
