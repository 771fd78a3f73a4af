"""Filters, sorting and grouped totals of the report builder, on core columns and procedure fields
(R-4.2.5.3, R-4.2.5.4); run on SQLite and on MariaDB by scripts/run-tests.sh."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrology.records.models import Record
from metrology.reports.columns import columns_for
from metrology.reports.query import ReportRefused, report_groups, report_parse, report_rows

pytestmark = pytest.mark.django_db


def run(person, spec, limit=100):
    total, rows = report_rows(Record.objects.all(), report_parse(spec, columns_for(person)), limit=limit)
    assert total == len(rows)
    return rows


def ids(rows):
    return {row["id"] for row in rows}


def test_a_filter_on_a_procedure_number_field_keeps_exactly_the_records_in_range(reported, statistician):
    rows = run(statistician, {"columns": ["client", "f:示值误差"],
                              "filters": [{"column": "f:示值误差", "op": "between", "value": ["0", "0.31"]}]})
    assert ids(rows) == {reported[n].pk for n in ("F2", "F3", "F3-rounded")}
    shown = {Decimal(row["f:示值误差"]).quantize(Decimal("1e-9")) for row in rows}  # kept at full precision
    assert shown == {Decimal("0.173135535"), Decimal("0.304012160")}


def test_a_picked_value_of_a_select_field_and_a_typed_client_combine(reported, statistician):
    rows = run(statistician, {"columns": ["client"], "filters": [
        {"column": "f:油品", "op": "eq", "value": "汽油"},
        {"column": "client", "op": "contains", "value": "石油"}]})
    assert ids(rows) == {reported["F1"].pk, reported["F3"].pk}


def test_not_equal_in_and_empty_filters_on_core_and_procedure_fields(reported, statistician):
    not_petrol = run(statistician, {"columns": ["client"], "filters": [{"column": "f:油品", "op": "ne", "value": "汽油"}]})
    assert ids(not_petrol) == {reported["F2"].pk}
    chosen = run(statistician, {"columns": ["client"], "filters": [
        {"column": "client", "op": "in", "value": ["乙加油站", "丙物流公司"]}]})
    assert ids(chosen) == {reported[n].pk for n in ("F2", "F3-rounded", "S2")}
    no_number = run(statistician, {"columns": ["client"], "filters": [{"column": "raw_record_number", "op": "empty"}]})
    assert ids(no_number) == {r.pk for r in reported.values()}  # drafts have no number yet
    with_repeatability = run(statistician, {"columns": ["client"],
                                            "filters": [{"column": "f:重复性", "op": "not_empty"}]})
    assert ids(with_repeatability) == {reported["F1"].pk, reported["F2"].pk}  # one run: no repeatability


def test_rows_sort_by_a_procedure_number_as_a_number(reported, statistician):
    rows = run(statistician, {"columns": ["f:示值误差"], "order": [{"column": "f:示值误差", "desc": True}]})
    values = [Decimal(row["f:示值误差"]) for row in rows]
    assert values == sorted(values, reverse=True) and len(values) == 5


def test_grouped_counts_match_a_hand_count(reported, statistician):
    report = report_parse({"columns": ["client"], "group_by": "conclusion"}, columns_for(statistician))
    groups = {g["group"]: g["count"] for g in report_groups(Record.objects.all(), report)}
    by_hand = {}
    for record in reported.values():
        by_hand[record.conclusion] = by_hand.get(record.conclusion, 0) + 1
    assert groups == by_hand == {"合格": 1, "不合格": 4}


def test_grouping_by_a_procedure_field_averages_another(reported, statistician):
    report = report_parse({"columns": ["client"], "group_by": "f:油品", "aggregate": "avg",
                           "aggregate_column": "f:示值误差"}, columns_for(statistician))
    groups = {g["group"]: (g["count"], Decimal(g["value"])) for g in report_groups(Record.objects.all(), report)}
    petrol = [Decimal("-0.017688400"), Decimal("0.304012160"), Decimal("0.304012160"), Decimal("0.331163070")]
    assert groups["柴油"] == (1, Decimal("0.173136"))
    assert groups["汽油"][0] == 4
    assert abs(groups["汽油"][1] - sum(petrol) / 4) < Decimal("0.000001")


def test_grouping_by_client_sums_a_procedure_field(reported, statistician):
    report = report_parse({"columns": ["client"], "group_by": "client", "aggregate": "sum",
                           "aggregate_column": "f:示值误差"}, columns_for(statistician))
    groups = {g["group"]: (g["count"], Decimal(g["value"])) for g in report_groups(Record.objects.all(), report)}
    assert groups["甲石油公司"] == (2, Decimal("0.286324"))
    assert groups["乙加油站"][0] == 2


def test_a_column_the_person_may_not_see_cannot_be_filtered_or_sorted(reported, make_person):
    reader = make_person("jilu", "记录查阅", "verifier")  # records, certificates: no reports
    assert columns_for(reader) == {}
    no_certificates = make_person("baobiao", "报表员")
    from metrology.accounts.models import Role, RoleGrant

    role = Role.objects.create(code="reports_only", name="只看报表")
    RoleGrant.objects.create(role=role, code="reports_query")
    no_certificates.roles.add(role)
    no_certificates = type(no_certificates).objects.get(pk=no_certificates.pk)
    allowed = columns_for(no_certificates)
    assert "client" in allowed and "certificate_number" not in allowed
    for spec in ({"columns": ["client"], "filters": [{"column": "certificate_number", "op": "contains", "value": "J"}]},
                 {"columns": ["client"], "order": [{"column": "certificate_number"}]},
                 {"columns": ["client"], "group_by": "certificate_number"}):
        with pytest.raises(ReportRefused, match="certificate_number"):
            report_parse(spec, allowed)


def test_bad_filter_values_are_refused_with_their_position(reported, statistician):
    allowed = columns_for(statistician)
    with pytest.raises(ReportRefused, match="筛选条件 2.*不是数字"):
        report_parse({"columns": ["client"], "filters": [{"column": "client", "op": "eq", "value": "甲"},
                                                         {"column": "f:示值误差", "op": "eq", "value": "零点一"}]},
                     allowed)
    with pytest.raises(ReportRefused, match="不是日期"):
        report_parse({"columns": ["client"], "filters": [{"column": "date", "op": "between",
                                                         "value": ["2026-01-01", "明天"]}]}, allowed)
    with pytest.raises(ReportRefused, match="drop table"):
        report_parse({"columns": ["drop table"]}, allowed)


def test_every_procedure_field_is_a_column_found_by_label_or_key(reported, statistician):
    from metrology.reports.columns import search

    allowed = columns_for(statistician)
    assert "f:示值误差" in allowed and "f:油品" in allowed
    assert [c.id for c in search(allowed, "重复")] == ["f:重复性"]
    assert "client" in [c.id for c in search(allowed, "委托")]
