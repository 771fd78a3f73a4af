"""Acceptance: concurrent approvals never share or skip a number, on SQLite and on MariaDB.

A fresh site (SQLite in WAL + IMMEDIATE mode, or a new MariaDB database when
METROLOGY_TEST_DATABASE_URL is set); 20 forked workers, each with its own connection, allocate
10 numbers each, every one in its own transaction.
"""

from __future__ import annotations

import json
import time

WORKERS, EACH = 20, 10

SCRIPT = r"""
import json, multiprocessing
from django.db import connections, transaction
from metrology.accounts.models import Person
from metrology.doctype.models import Item, TestType
from metrology.numbering.models import IssuedNumber
from metrology.numbering.services import number_allocate, scheme_create

WORKERS, EACH = %(workers)d, %(each)d
item = Item.objects.create(code="JJG443", name="燃油加油机", is_authorised=True)
verification = TestType.objects.get_or_create(parent=None, name="检定")[0]
scheme = scheme_create(actor=None, item=item, test_type=verification, document_kind="检定证书",
                       prefix="JD", date_part="YYYY", separator="-", sequence_width=4, reset="yearly")
admin_pk = Person.objects.get(username="admin").pk
connections.close_all()  # each forked worker opens its own connection
context = multiprocessing.get_context("fork")
start = context.Barrier(WORKERS)

def work(worker):
    actor = Person.objects.get(pk=admin_pk)
    start.wait(timeout=60)
    for i in range(EACH):
        with transaction.atomic():
            number_allocate(scheme=scheme, actor=actor, reference=f"worker:{worker}:{i}")
    connections.close_all()

workers = [context.Process(target=work, args=(n,)) for n in range(WORKERS)]
for process in workers:
    process.start()
for process in workers:
    process.join(timeout=120)
rows = list(IssuedNumber.objects.filter(scheme=scheme).values_list("number", "sequence", "reference"))
print("RESULT " + json.dumps({"exit_codes": [p.exitcode for p in workers], "rows": rows}))
"""


def test_200_allocations_from_20_concurrent_workers_give_200_distinct_consecutive_numbers(cli_sites):
    cli_sites.new_site("institute")
    started = time.monotonic()
    result = cli_sites.run("shell", "-c", SCRIPT % {"workers": WORKERS, "each": EACH}, timeout=180)
    elapsed = time.monotonic() - started
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    outcome = json.loads(line.removeprefix("RESULT "))
    assert outcome["exit_codes"] == [0] * WORKERS, result.stderr
    numbers, sequences, references = zip(*outcome["rows"])
    assert len(numbers) == WORKERS * EACH
    assert len(set(numbers)) == WORKERS * EACH
    assert sorted(sequences) == list(range(1, WORKERS * EACH + 1))
    assert len(set(references)) == WORKERS * EACH
    assert "audit chain intact" in cli_sites.run("audit", "verify").stdout
    assert elapsed < 60, f"the allocations took {elapsed:.1f} s"
