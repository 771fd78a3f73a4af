"""Run inside the throwaway site of bench/report (`metrology --site NAME shell -c ...`, see run.py).

generate(records): the JJG 443 pack published, an inspector and a statistician (高级管理者), then
`records` records and their RecordField rows written straight into the tables with executemany in
batches (not through the services: the bench measures the reports, not the entry). Each record has a
client among 400 (a few large ones, many small), one of 12 manufacturers, a verification date spread
evenly over 1,000 days (so a window of days holds a known number of records), a conclusion (9 in 10
合格) and 4–5 procedure values: 示值误差 (number, spread around 0), 油品 (text: 汽油, 柴油, 乙醇汽油), V0 (20,
50 or 100), 量器材质 (text) and, for 4 in 5, 重复性 (number).

grouped(): the builder's queries timed (report_parse + report_groups with a filter on a procedure field,
grouped by conclusion or client; and the first page with its count, as api.run asks), each run 3 times,
with SQLite's or MariaDB's query plan of the grouped count.

export_prepare(rows) / export_run(export_id): an .xlsx export of `rows` records asked for through the
service, then made by report_export_make in a process that does nothing else, which prints its time and
its peak resident memory.

Each function prints one line "RESULT {json}".
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import time
from decimal import Decimal

DAYS = 1000
FIRST_DAY = dt.date(2023, 1, 1)
BATCH = 20_000
CLIENTS = [f"示范{name}{n:03d}" for n, name in enumerate(["加油站", "石油公司", "物流公司", "能源公司"] * 100)]
MANUFACTURERS = [f"制造厂{n:02d}有限公司" for n in range(12)]
FUELS = (("汽油", 70), ("柴油", 25), ("乙醇汽油", 5))
MATERIALS = ("不锈钢", "碳钢", "铝合金")
STATES = (("draft", 5), ("submitted", 5), ("verified", 5), ("approved", 85))
FIELD_FILTER = {"column": "f:油品", "op": "eq", "value": "柴油"}
NUMBER_FILTER = {"column": "f:示值误差", "op": "between", "value": ["-0.1", "0.1"]}
EXPORT_COLUMNS = ["raw_record_number", "client", "item", "serial", "manufacturer", "date", "validity",
                  "conclusion", "inspector", "f:油品", "f:V0", "f:示值误差", "f:重复性"]


def _result(facts: dict) -> None:
    print("RESULT " + json.dumps(facts, ensure_ascii=False))


def _weighted(pairs, rng: random.Random) -> list:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=100_000)


def _people():
    from metrology.accounts.models import Role
    from metrology.accounts.services.people import person_create

    inspector = person_create(actor=None, username="zhangsan", password="Bench-report-2026", name="张三",
                              roles=list(Role.objects.filter(code="inspector")))
    statistician = person_create(actor=None, username="tongji", password="Bench-report-2026", name="赵统计",
                                 roles=list(Role.objects.filter(code="senior_manager")))
    return inspector, statistician


def _record_template(version, inspector):
    """The record table's columns and one row of defaults, as the database takes them."""
    from django.db import connection

    from metrology.records.models import Record

    record = Record(version=version, item=version.procedure.item, sub_type=version.procedure.sub_type,
                    inspector=inspector)
    fields = [f for f in Record._meta.concrete_fields]
    values = {f.column: f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields}
    return Record._meta.db_table, values


def generate(records: int) -> None:
    from django.db import connection, transaction

    from metrology.doctype.models import ProcedureVersion
    from metrology.reports.models import RecordField
    from metrology.testing.review import fuel_dispenser

    began = time.perf_counter()
    item, sub_type = fuel_dispenser()
    inspector, _statistician = _people()
    version = ProcedureVersion.objects.filter(procedure__item=item, procedure__sub_type=sub_type).latest("pk")
    table, template = _record_template(version, inspector)
    columns = list(template)
    quote = connection.ops.quote_name
    record_sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
                  f"VALUES ({', '.join(['%s'] * len(columns))})")
    field_table = RecordField._meta.db_table
    field_columns = ", ".join(quote(c) for c in ("record_id", "key", "row", "text", "number", "date"))
    field_sql = f"INSERT INTO {quote(field_table)} ({field_columns}) VALUES (%s, %s, NULL, %s, %s, NULL)"
    rng = random.Random(13)
    client_weights = [1 / (n + 1) ** 0.8 for n in range(len(CLIENTS))]  # a few large clients, many small
    clients = rng.choices(CLIENTS, weights=client_weights, k=100_000)
    fuels, states = _weighted(FUELS, rng), _weighted(STATES, rng)
    first_id = 1
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET unique_checks=0, foreign_key_checks=0")
    fields_written = 0
    with connection.schema_editor() as editor:  # built once at the end, sorted, instead of row by row
        for index in RecordField._meta.indexes:
            editor.remove_index(RecordField, index)
    for start in range(0, records, BATCH):
        record_rows, field_rows = [], []
        for n in range(start, min(start + BATCH, records)):
            pk = first_id + n
            day = FIRST_DAY + dt.timedelta(days=n % DAYS)
            passed = rng.random() < 0.9
            row = dict(template, id=pk, client=clients[n % 100_000], manufacturer=MANUFACTURERS[n % 12],
                       serial_number=f"JY{n:07d}", instrument_model=f"CS-{n % 30:02d}",
                       state=states[n % 100_000], verification_date=day.isoformat(),
                       next_verification_date=(day + dt.timedelta(days=365)).isoformat(),
                       conclusion="合格" if passed else "不合格",
                       raw_record_number=f"YS-{day.year}-{n:07d}")
            record_rows.append([row[c] for c in columns])
            error = Decimal(rng.gauss(0, 0.12 if passed else 0.4)).quantize(Decimal("1e-10"))
            volume = Decimal((20, 50, 100)[n % 3])
            values = [("示值误差", str(error.normalize()), str(error)), ("油品", fuels[n % 100_000], None),
                      ("V0", str(volume), str(volume)), ("量器材质", MATERIALS[n % 3], None)]
            if n % 5:
                repeatability = Decimal(rng.uniform(0, 0.1)).quantize(Decimal("1e-10"))
                values.append(("重复性", str(repeatability.normalize()), str(repeatability)))
            field_rows.extend((pk, key, text, number) for key, text, number in values)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(record_sql, record_rows)
            cursor.executemany(field_sql, field_rows)
        fields_written += len(field_rows)
    loaded = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in RecordField._meta.indexes:
            editor.add_index(RecordField, index)
    _result({"records": records, "record_fields": fields_written, "seconds": time.perf_counter() - began,
             "indexes_seconds": time.perf_counter() - loaded, "database": connection.vendor})


def _statistician():
    from metrology.accounts.models import Person

    return Person.objects.get(username="tongji")


def _plan(sql: str) -> list[str]:
    """The database's plan of a query as it ran (its parameters written in, as Django logs it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's own: the SQL holds no placeholders any more
        if connection.vendor == "sqlite":
            raw.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in raw.fetchall()]
        raw.execute("EXPLAIN " + sql)
        return [" | ".join(str(v) for v in row) for row in raw.fetchall()]


def _timed(work, times: int = 3) -> tuple[list[float], object]:
    seconds, answer = [], None
    for _ in range(times):
        began = time.perf_counter()
        answer = work()
        seconds.append(time.perf_counter() - began)
    return seconds, answer


def grouped(analyze: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metrology.records.models import Record
    from metrology.reports.columns import columns_for
    from metrology.reports.query import report_groups, report_parse, report_rows
    from metrology.reports.selectors import report_records

    if analyze:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
            else:
                for table in (Record._meta.db_table, "reports_recordfield"):
                    cursor.execute(f"ANALYZE TABLE {table}")
                    cursor.fetchall()
    person = _statistician()
    allowed = columns_for(person)
    base = report_records(person)
    cases = {
        "field filter, grouped by conclusion": {"columns": ["client"], "filters": [FIELD_FILTER],
                                                "group_by": "conclusion"},
        "field filter, grouped by client": {"columns": ["client"], "filters": [FIELD_FILTER], "group_by": "client"},
        "number range, grouped by conclusion": {"columns": ["client"], "filters": [NUMBER_FILTER],
                                                "group_by": "conclusion"},
    }
    facts = {"analyzed": analyze, "cases": {}}
    for name, spec in cases.items():
        seconds, groups = _timed(lambda spec=spec: report_groups(base, report_parse(spec, allowed)))
        with CaptureQueriesContext(connection) as queries:
            report_groups(base, report_parse(spec, allowed))
        plans = [{"sql": q["sql"], "plan": _plan(q["sql"])} for q in queries.captured_queries
                 if "GROUP BY" in q["sql"]]
        facts["cases"][name] = {"seconds": seconds, "groups": len(groups),
                                "counted": sum(g["count"] for g in groups), "plans": plans}
    page_spec = {"columns": ["client", "date", "conclusion", "f:示值误差"], "filters": [FIELD_FILTER],
                 "order": [{"column": "date", "desc": True}]}
    seconds, (total, _rows) = _timed(lambda: report_rows(base, report_parse(page_spec, allowed), limit=50))
    facts["first page with its count"] = {"seconds": seconds, "total": total}
    _result(facts)


def export_prepare(rows: int) -> None:
    """An .xlsx export of `rows` records (a window of verification dates), asked for through the service."""
    from django.db import connection

    from metrology.records.models import Record
    from metrology.reports.exports import report_export_create

    records = Record.objects.count()
    per_day = records / DAYS
    days = max(1, round(rows / per_day))
    last = FIRST_DAY + dt.timedelta(days=days - 1)
    spec = {"columns": EXPORT_COLUMNS, "order": [{"column": "date"}],
            "filters": [{"column": "date", "op": "between", "value": [FIRST_DAY.isoformat(), last.isoformat()]}]}
    export = report_export_create(actor=_statistician(), spec=spec, format="xlsx", name="基准导出")
    connection.close()
    _result({"export": export.pk, "rows": export.total, "columns": len(EXPORT_COLUMNS)})


def export_run(export_id: int) -> None:
    """Make the export in this process, which did nothing else: seconds and peak resident memory."""
    from django.core.files.storage import default_storage

    from metrology.reports.exports import report_export_make

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    export = report_export_make(export_id=export_id)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _result({"seconds": seconds, "rows": export.done, "state": export.state, "error": export.error,
             "peak_rss_mb": peak / 1024, "rss_before_mb": before / 1024,
             "file_mb": default_storage.size(export.file) / 1e6 if export.file else 0})
