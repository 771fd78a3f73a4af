"""#8: people starting a new version of one procedure at the same time get one draft, never an error.

The next version's number was computed as `latest + 1` without a lock, so two at once clashed on
the unique (procedure, number) and the Desk showed an IntegrityError page. Run on a fresh site
(SQLite file, or a new MariaDB database when METROLOGY_TEST_DATABASE_URL is set) with 6 threads.
"""

from __future__ import annotations

import json

SCRIPT = r"""
import json, threading
from pathlib import Path
from django.db import connection
from metrology.accounts.models import Person
from metrology.doctype.models import Procedure, ProcedureVersion
from metrology.doctype.packs import bundled_packs, pack_import
from metrology.doctype.services import version_new_draft

admin = Person.objects.get(username="admin")
pack = next(path for path in bundled_packs() if "jjg443" in path.name)
first = pack_import(actor=admin, definition=json.loads(pack.read_text(encoding="utf-8")), authorise=True,
                    publish=True)[0]
procedure_pk = first.procedure_id
start = threading.Barrier(6)
drafts, errors = [], []


def new_draft():
    try:
        procedure = Procedure.objects.get(pk=procedure_pk)
        start.wait(10)
        drafts.append(version_new_draft(actor=admin, procedure=procedure).pk)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()


threads = [threading.Thread(target=new_draft) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(60)
numbers = sorted(ProcedureVersion.objects.filter(procedure_id=procedure_pk).values_list("number", flat=True))
print("RESULT " + json.dumps({"errors": errors, "drafts": drafts, "numbers": numbers}))
"""


def test_starting_a_new_version_at_the_same_time_gives_everyone_the_same_draft(cli_sites):
    cli_sites.new_site("institute")
    output = cli_sites.run("shell", "-c", SCRIPT, timeout=180).stdout
    outcome = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    assert outcome["errors"] == []
    assert len(outcome["drafts"]) == 6 and len(set(outcome["drafts"])) == 1
    assert outcome["numbers"] == [1, 2]
