"""#8: allocation and scheme changes take their locks in one order, so they never deadlock.

`number_allocate` used to lock the audit chain's head and then (through its counter and the new
number's reference) the scheme, while `scheme_update` held the scheme and then wanted the head
for its audit row: on MariaDB, one of the two died in a deadlock. Run on a fresh site (SQLite
file, or a new MariaDB database when METROLOGY_TEST_DATABASE_URL is set), each round holds the
scheme's lock in one thread while another thread starts an allocation in a new period.
"""

from __future__ import annotations

import json

SCRIPT = r"""
import datetime as dt, json, threading, time
from django.db import connection, transaction
from metrology.accounts.models import Person
from metrology.doctype.models import Item, TestType
from metrology.numbering.models import IssuedNumber, NumberingScheme
from metrology.numbering.services import number_allocate, scheme_create, scheme_update

admin = Person.objects.get(username="admin")
item = Item.objects.create(code="JJG443", name="燃油加油机", is_authorised=True)
verification = TestType.objects.get_or_create(parent=None, name="检定")[0]
scheme = scheme_create(actor=None, item=item, test_type=verification, document_kind="检定证书",
                       prefix="JD", date_part="YYYY", separator="-", sequence_width=4, reset="yearly")
errors = []


def update(round_, locked):
    try:
        with transaction.atomic():
            current = NumberingScheme.objects.select_for_update().get(pk=scheme.pk)
            locked.set()
            time.sleep(0.4)  # the allocation starts meanwhile
            scheme_update(actor=admin, scheme=current, suffix=f"-{round_}")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()


def allocate(round_, locked):
    locked.wait(10)
    try:
        with transaction.atomic():
            number_allocate(scheme=scheme, actor=admin, on=dt.date(2020 + round_, 5, 1))
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()


for round_ in range(4):
    locked = threading.Event()
    threads = [threading.Thread(target=update, args=(round_, locked)),
               threading.Thread(target=allocate, args=(round_, locked))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
numbers = sorted(IssuedNumber.objects.values_list("number", flat=True))
print("RESULT " + json.dumps({"errors": errors, "numbers": numbers}, ensure_ascii=False))
"""


def test_allocation_and_a_scheme_change_at_the_same_time_never_deadlock(cli_sites):
    cli_sites.new_site("institute")
    output = cli_sites.run("shell", "-c", SCRIPT, timeout=180).stdout
    outcome = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    assert outcome["errors"] == []
    # Each allocation waited for the change and numbered with the new suffix.
    assert outcome["numbers"] == [f"JD{2020 + n}-0001-{n}" for n in range(4)]
    assert "audit chain intact" in cli_sites.run("audit", "verify").stdout
