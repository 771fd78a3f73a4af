"""#11 must-show: 50 approvers approving 200 records at once — each record approved once, no lost
transition, no deadlock (R-4.3.11), on SQLite and on MariaDB.

On a fresh site (a SQLite file in WAL + IMMEDIATE mode as in production, or a new MariaDB database when
METROLOGY_TEST_DATABASE_URL is set): the test database of SQLite is an in-memory shared cache, whose
table locks fail at once instead of queueing, so threads racing on it would test nothing real. The
scenario (metrology.testing.review) prepares 200 fuel-dispenser records waiting for approval, each
submitted and verified through the engine, then starts 50 approvers, each a thread with its own
connection, plus the records' inspector and verifier, who also hold the approver's role and try every
record. SQLite has no row locks (the engine's SELECT … FOR UPDATE does nothing there) but queues its
writers; a thread told it is busy may try the same record again, and exactly-once is asserted all the
same. A deadlock or a lock wait that timed out is an OperationalError and fails the test.
"""

from __future__ import annotations

import json
import time
from collections import Counter

APPROVERS, RECORDS = 50, 200
SCRIPT = f"from metrology.testing.review import main; main(approvers={APPROVERS}, records={RECORDS})"


def _race(cli_sites) -> dict:
    cli_sites.new_site("institute")
    result = cli_sites.run("shell", "-c", SCRIPT, timeout=600)
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    assert line is not None, result.stdout + result.stderr
    return json.loads(line.removeprefix("RESULT "))


def test_fifty_approvers_at_once_approve_each_of_two_hundred_records_exactly_once_and_the_guards_hold(
        cli_sites, capsys):
    began = time.monotonic()
    facts = _race(cli_sites)
    elapsed = time.monotonic() - began
    inspector, verifier, approvers = facts["inspector"], facts["verifier"], set(facts["approvers"])
    outcomes = {outcome["person"]: outcome for outcome in facts["outcomes"]}
    records = {int(pk): record for pk, record in facts["records"].items()}
    raced, guarded, messages = set(facts["raced"]), set(facts["guarded"]), facts["messages"]
    seconds, tries = facts["seconds"], sum(len(o["approved"]) + len(o["refusals"]) for o in outcomes.values())
    prepared = " + ".join(f"{seconds[part]:.1f}" for part in ("typed_in", "copied", "submitted_and_verified"))
    with capsys.disabled():
        print(f"\n{facts['vendor']}: {elapsed:.1f} s in all; people {seconds['people']:.1f} s; "
              f"{len(records)} records typed in + copied + submitted and verified in {prepared} s; "
              f"race {seconds['race']:.1f} s: {tries} tries, {RECORDS / seconds['race']:.0f} approvals/s, "
              f"{sum(o['busy_retries'] for o in outcomes.values())} busy retries")

    # every thread ended, having met nothing but refusals: no deadlock, no lock wait timed out
    assert facts["waiting_before"] == len(raced) + len(guarded) and len(raced) == RECORDS
    assert facts["finished"]
    assert {pk: outcome["errors"] for pk, outcome in outcomes.items() if outcome["errors"]} == {}

    # each record approved by exactly one approver; everyone else trying it was told someone was first
    successes = Counter(pk for outcome in outcomes.values() for pk in outcome["approved"])
    assert sum(successes.values()) == RECORDS
    assert set(successes) == raced and set(successes.values()) == {1}
    approved_by = {pk: outcome["person"] for outcome in outcomes.values() for pk in outcome["approved"]}
    assert set(approved_by.values()) <= approvers
    second = [(person, pk, reasons) for person in approvers for pk, reasons in outcomes[person]["refusals"]]
    assert second, "no two approvers ever met on a record: nothing was raced"
    assert messages["second"]
    assert [(pk, reasons) for person, pk, reasons in second
            if approved_by[pk] == person or reasons != [messages["second"]]] == []

    # no lost transition: each history is submit, verify, approve, and the record is where it ends
    for pk in raced:
        assert records[pk]["state"] == "approved", pk
        assert [tuple(step) for step in records[pk]["steps"]] == [
            ("submit", "draft", "submitted", inspector), ("verify", "submitted", "verified", verifier),
            ("approve", "verified", "approved", approved_by[pk])], pk
    assert sorted(map(tuple, facts["approval_signatures"])) == sorted(
        (pk, approved_by[pk], "approve") for pk in raced)

    # the guards held under concurrency: the inspector and the verifier, racing too, approved nothing; the
    # records only they tried were refused with the separation-of-duties reason and still wait
    last_approver_done = max(outcomes[pk]["done"] for pk in approvers)
    for pk, guard in ((inspector, "inspector"), (verifier, "verifier")):
        assert messages[guard]
        assert outcomes[pk]["first_try"] < last_approver_done  # trying while the approvers still were
        assert outcomes[pk]["approved"] == []
        assert sorted(record for record, _ in outcomes[pk]["refusals"]) == sorted(raced | guarded)
        assert [record for record, reasons in outcomes[pk]["refusals"]
                if messages[guard] not in reasons and reasons != [messages["second"]]] == []
        assert all(messages[guard] in reasons
                   for record, reasons in outcomes[pk]["refusals"] if record in guarded)
    assert {records[pk]["state"] for pk in guarded} == {"verified"}

    # one audit row per approval, and the chain still verifies
    numbers = [records[pk]["number"] for pk in raced]
    assert None not in numbers and len(set(numbers)) == RECORDS
    assert Counter(facts["audited_approvals"]) == Counter(numbers)
    assert facts["chain_ok"], facts["chain_break"]
