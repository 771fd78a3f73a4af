"""Records typed in from the JJG 443 worked examples, each for a named client, to report on."""

from __future__ import annotations

import pytest

# example → client; F2 and F3 fail, F1 and F3-rounded pass (tests/data/examples/fuel_dispenser_jjg443.json)
CLIENTS = {"F1": "甲石油公司", "F2": "乙加油站", "F3": "甲石油公司", "F3-rounded": "丙物流公司", "S2": "乙加油站"}


@pytest.fixture
def fuel(db):
    from metrology.testing.review import fuel_dispenser

    return fuel_dispenser()


@pytest.fixture
def reported(fuel, inspector):
    """One draft per example in CLIENTS, its 委托单位 typed like any value: {example: record}."""
    from metrology.records.services import value_save
    from metrology.testing.fuel import request_id
    from metrology.testing.review import typed_in_draft

    item, sub_type = fuel
    made = {}
    for example, client in CLIENTS.items():
        record = typed_in_draft(inspector=inspector, item=item, sub_type=sub_type, example=example)
        value_save(actor=inspector, record=record, request_id=request_id(), field="委托单位", value=client)
        record.refresh_from_db()
        made[example] = record
    return made


@pytest.fixture
def statistician(make_person):
    return make_person("tongji", "赵统计", "senior_manager")
