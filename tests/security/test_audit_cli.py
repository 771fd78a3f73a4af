"""#8: `metrology audit verify` checks the chain with the site's key and against the checkpoint file
outside the database; `metrology audit checkpoint` prints the head to write down or send."""

from __future__ import annotations

import re

MAKE_HISTORY = r"""
from metrology.accounts.models import Person
from metrology.accounts.services import people
admin = Person.objects.get(username="admin")
for n in range(4):
    person = people.person_create(actor=admin, username=f"p{n}", password="Jiliang-2026x", name=f"人员{n}")
    people.person_update(actor=admin, person=person, title=f"职称{n}")
"""

CUT_THE_TAIL = r"""
from django.db import connection
from metrology.core.models import AuditChainHead, AuditEvent
kept = AuditEvent.objects.order_by("position")[AuditEvent.objects.count() - 4]
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM core_auditevent WHERE position > %s", [kept.position])
    cursor.execute("UPDATE core_auditchainhead SET last_position = %s, last_id = %s, last_hash = %s",
                   [kept.position, kept.id, kept.hash])
"""


def test_the_site_has_a_chain_key_outside_its_database(cli_sites):
    cli_sites.new_site("institute")
    key = cli_sites.root / "institute" / "keys" / "audit-chain.key"
    assert key.is_file() and key.stat().st_mode & 0o077 == 0
    assert len(bytes.fromhex(key.read_text().strip())) == 32


def test_audit_verify_names_the_cut_tail_that_the_checkpoint_file_remembers(cli_sites):
    cli_sites.new_site("institute")
    cli_sites.run("shell", "-c", MAKE_HISTORY)
    head = cli_sites.run("audit", "checkpoint").stdout
    position, row = map(int, re.search(r"position=(\d+) row=(\d+) hash=[0-9a-f]{64}", head).groups())
    assert "audit chain intact" in cli_sites.run("audit", "verify").stdout
    checkpoints = (cli_sites.root / "institute" / "audit-checkpoints.log").read_text().splitlines()
    assert checkpoints[-1].split("\t")[:2] == [str(position), str(row)]

    cli_sites.run("shell", "-c", CUT_THE_TAIL)
    broken = cli_sites.run("audit", "verify", check=False)
    assert broken.returncode == 1
    named = re.search(r"audit chain broken at row \d+: .*the end of the chain was cut", broken.stderr)
    assert named, broken.stderr
