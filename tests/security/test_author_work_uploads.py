"""#8: a refused layout upload leaves an audit row saying who tried what (file name, size, SHA-256,
the reason), though nothing else is saved; concurrent uploads of new versions of one layout each get
their own number instead of an IntegrityError."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.print_formats.layouts import LayoutRefused
from metrology.print_formats.models import LayoutVersion
from metrology.print_formats.services import layout_upload
from metrology.testing.documents import docx_of_paragraphs

REPO = Path(__file__).resolve().parents[2]
PACK = json.loads((REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))


@pytest.fixture
def procedure(admin):
    from metrology.doctype.packs import pack_import

    return pack_import(actor=admin, definition=json.loads(json.dumps(PACK)), authorise=True,
                       publish=True)[0].procedure


@pytest.mark.django_db
def test_a_refused_upload_leaves_an_audit_row_with_who_what_and_why(admin, procedure):
    data = docx_of_paragraphs("{{ 证书编号 }}", "{{ ''.__class__ }}")
    with pytest.raises(LayoutRefused) as caught:
        layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=data, filename="evil.docx")
    event = AuditEvent.objects.get(action="layout.refused")
    assert event.actor_id == admin.pk and event.reason == caught.value.message
    assert event.after["file"] == "evil.docx" and event.after["size"] == len(data)
    assert event.after["sha256"] == hashlib.sha256(data).hexdigest()
    assert event.after["errors"] == caught.value.report.errors
    assert not LayoutVersion.objects.exists()


@pytest.mark.django_db
def test_a_refusal_in_the_desk_is_audited_with_the_person_who_tried(login, admin, procedure):
    data = docx_of_paragraphs("{{ 9**(9**9) }}")
    response = login(admin).post(reverse("desk:print_formats_layout_add"), {
        "procedure": procedure.pk, "kind": "检定证书", "upload": SimpleUploadedFile("power.docx", data)})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="layout.refused")
    assert event.actor_id == admin.pk and event.after["file"] == "power.docx"
    assert event.after["sha256"] == hashlib.sha256(data).hexdigest()
    assert any("9 ** (9 ** 9)" in error for error in event.after["errors"])


WORKERS = 8
RACE = r"""
import json, multiprocessing
from django.db import connections
from metrology.accounts.models import Person
from metrology.doctype.packs import pack_import
from metrology.print_formats.models import LayoutVersion
from metrology.print_formats.services import layout_upload
from metrology.testing.documents import docx_of_paragraphs

admin = Person.objects.get(username="admin")
definition = json.load(open(%(pack)r, encoding="utf-8"))
procedure = pack_import(actor=admin, definition=definition, authorise=True, publish=True)[0].procedure
connections.close_all()  # each forked worker opens its own connection
context = multiprocessing.get_context("fork")
start = context.Barrier(%(workers)d)

def work(n):
    data = docx_of_paragraphs("{{ 证书编号 }} 第%%d版" %% n)
    start.wait(timeout=60)
    layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=data, filename=f"v{n}.docx")
    connections.close_all()

workers = [context.Process(target=work, args=(n,)) for n in range(%(workers)d)]
for process in workers:
    process.start()
for process in workers:
    process.join(timeout=180)
numbers = sorted(LayoutVersion.objects.values_list("number", flat=True))
print("RESULT " + json.dumps({"exit_codes": [p.exitcode for p in workers], "numbers": numbers}))
"""


def test_concurrent_uploads_of_one_layout_get_consecutive_versions(cli_sites):
    """#8: `number + 1` under the layout row's lock (SQLite: IMMEDIATE transactions; MariaDB: FOR UPDATE)."""
    cli_sites.new_site("institute")
    pack = str(REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json")
    result = cli_sites.run("shell", "-c", RACE % {"workers": WORKERS, "pack": pack}, timeout=300)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    outcome = json.loads(line.removeprefix("RESULT "))
    assert outcome["exit_codes"] == [0] * WORKERS, result.stderr[-3000:]
    assert outcome["numbers"] == list(range(1, WORKERS + 1))
