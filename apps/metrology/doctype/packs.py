"""Procedure packs (apps/metrology/packs/*.json): one definition, one procedure per sub-type."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.models import Item, Procedure, ProcedureVersion, TestType, definition_hash
from metrology.doctype.services import (
    item_save, procedure_create, version_new_draft, version_publish, version_save_draft,
)

PACKS_DIR = Path(__file__).resolve().parents[1] / "packs"


def bundled_packs() -> list[Path]:
    return sorted(PACKS_DIR.glob("*.json"))


def _item_for(actor: Person | None, definition: dict[str, Any], authorise: bool) -> Item:
    meta = definition.get("item") or {}
    code = str(meta.get("code") or definition.get("code") or "").strip()
    if not code:
        raise ProcedureRefused(_("The procedure has no code."))
    item = Item.objects.filter(code=code).first()
    if item is None:
        regulation = (definition.get("regulation") or {}).get("code")
        item = item_save(actor=actor, item=Item(
            code=code, name=meta.get("name") or definition.get("name", code),
            period_months=meta.get("period_months"), regulation_codes=[regulation] if regulation else [],
            is_authorised=authorise,
        ))
    elif authorise and not item.is_authorised:
        item.is_authorised = True
        item_save(actor=actor, item=item)
    return item


def _sub_type(definition: dict[str, Any], name: str) -> TestType:
    parent, _created = TestType.objects.get_or_create(parent=None, name=definition.get("test_type") or "检定")
    sub_type, _created = TestType.objects.get_or_create(parent=parent, name=name)
    return sub_type


@transaction.atomic
def pack_import(
    *, actor: Person | None, definition: dict[str, Any], authorise: bool = False, publish: bool = False
) -> list[ProcedureVersion]:
    """Create or update the procedure of each sub-type; an unchanged definition makes no new version."""
    sub_types = definition.get("sub_types") or []
    if not sub_types:
        raise ProcedureRefused(_("The procedure names no sub-types (sub_types), e.g. [\"首次检定\"]."))
    item = _item_for(actor, definition, authorise)
    versions = []
    for sub_name in sub_types:
        own = {**copy.deepcopy(definition), "sub_types": [sub_name]}
        sub_type = _sub_type(definition, sub_name)
        procedure = Procedure.objects.filter(item=item, sub_type=sub_type).first()
        if procedure is None:
            version = procedure_create(actor=actor, item=item, sub_type=sub_type,
                                       code=f"{definition['code']}-{sub_name}",
                                       name=definition.get("name") or definition["code"], definition=own)
        else:
            latest = procedure.latest_version()
            if latest.fingerprint == definition_hash(own):
                versions.append(latest)
                continue
            version = version_save_draft(actor=actor, version=version_new_draft(actor=actor, procedure=procedure),
                                         definition=own)
        if publish:
            version = version_publish(actor=actor, version=version)
        versions.append(version)
    return versions
