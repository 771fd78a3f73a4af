"""Many approvers approving many records at once (#11), for tests/workflow/test_concurrent_approval.py and
bench/approval/run.py. Runs on the current site's database: a fresh site (a SQLite file in WAL +
IMMEDIATE mode, or a new MariaDB database), driven through `metrology shell`.

Preparation. One fuel-dispenser record is started and typed in through the real services (example F1,
value by value); the others are copies of its draft (the record row with its inputs and results, and
its entered values). Every record is then submitted by the inspector and verified by the verifier
through ``transition_apply``, with a handwritten signature and password: each has its own raw record
number, its own steps, signatures and audit rows, so the guards see a real history.

The race. Every contender is a thread with its own database connection, started together. An approver
goes through the records in an order of its own, trying those it last saw waiting; when it is refused
(someone else was first) it refreshes what it sees, as the app asks. The record's inspector and its
verifier, who also hold the approver's role here, try every record and must be refused every time.
Only ``WorkflowRefused`` is expected: anything else (a deadlock, a lock wait that timed out) is kept
as an error. On SQLite a thread told that the database is busy tries the same record again.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from dataclasses import asdict, dataclass, field

from django.db import OperationalError, connection, transaction

from metrology.testing.fuel import entry_order, fuel_example, request_id
from metrology.testing.personas import PASSWORD
from metrology.testing.signing import signed

ITEM_NAME = "燃油加油机"  # the item of the JJG 443 pack, as a qualification names it
BUSY_TRIES = 20  # SQLite only: tries of one record while the database says it is busy
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Outcome:
    """What one contender's thread did."""

    person: int
    approved: list[int] = field(default_factory=list)
    refusals: list[tuple[int, list[str]]] = field(default_factory=list)  # (record, the reasons given)
    busy_retries: int = 0
    errors: list[str] = field(default_factory=list)
    first_try: float | None = None  # seconds after the start: when it first tried, when it finished
    done: float | None = None


# --- preparation -------------------------------------------------------------------------------------

def person(username: str, name: str, *role_codes: str, qualification: str):
    """A person with the roles and a qualification for the fuel dispenser valid today (the services)."""
    from metrology.accounts.models import Role
    from metrology.accounts.services.people import person_create
    from metrology.accounts.services.qualifications import qualification_add

    made = person_create(actor=None, username=username, password=PASSWORD, name=name,
                         roles=list(Role.objects.filter(code__in=role_codes)))
    qualification_add(actor=None, person=made, certificate_number=qualification,
                      issue_date=dt.date.today() - dt.timedelta(days=365), issuing_body="示范省市场监督管理局",
                      valid_until=dt.date.today() + dt.timedelta(days=3 * 365), items=[ITEM_NAME])
    return made


def fuel_dispenser():
    """The JJG 443 pack published, and a raw-record numbering scheme for its first verification."""
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.doctype.packs import pack_import
    from metrology.numbering.services import scheme_create
    from metrology.testing.fuel import fuel_pack

    procedure = pack_import(actor=None, definition=fuel_pack(), authorise=True, publish=True)[0].procedure
    scheme_create(actor=None, item=procedure.item, test_type=procedure.sub_type.parent,
                  document_kind=DocumentKind.RAW_RECORD, prefix="YS", date_part="YYYY", separator="-",
                  sequence_width=5)
    return procedure.item, procedure.sub_type


def typed_in_draft(*, inspector, item, sub_type, example: str = "F1"):
    """A draft started and typed in as the inspector would: one value per save."""
    from metrology.records.services import record_start, value_save

    record = record_start(actor=inspector, item=item, sub_type=sub_type)
    for value in entry_order(fuel_example(example)["inputs"]):
        value_save(actor=inspector, record=record, request_id=request_id(), **value)
    record.refresh_from_db()
    return record


@transaction.atomic
def copies_of_draft(record, count: int) -> list:
    """``count`` new drafts with the record's inputs, results and entered values (own request ids)."""
    from metrology.records.models import Record, RecordValue

    values = list(RecordValue.objects.filter(record=record).order_by("id"))
    copies = []
    for _ in range(count):
        copy = Record.objects.get(pk=record.pk)
        copy.pk = None
        copy.raw_record_number = None
        copy._state.adding = True
        copy.save(force_insert=True)
        copies.append(copy)
    RecordValue.objects.bulk_create([
        RecordValue(record=copy, field=v.field, row=v.row, column=v.column, value=v.value,
                    previous=v.previous, captured_at=v.captured_at, device=v.device, person_id=v.person_id,
                    request_id=request_id(), reason=v.reason)
        for copy in copies for v in values])
    return copies


def waiting_for_approval(*, count: int, inspector, verifier, item, sub_type) -> tuple[list[int], dict]:
    """The pks of ``count`` records in the state "verified", and the seconds each part took."""
    from metrology.workflow.engine import transition_apply

    started = time.perf_counter()
    first = typed_in_draft(inspector=inspector, item=item, sub_type=sub_type)
    typed = time.perf_counter()
    records = [first, *copies_of_draft(first, count - 1)]
    copied = time.perf_counter()
    signature = signed()
    with transaction.atomic():  # one commit and one sealing of the audit chain instead of one per step
        for record in records:
            transition_apply(actor=inspector, record=record, action="submit", signature=signature)
            transition_apply(actor=verifier, record=record, action="verify", signature=signature)
    reviewed = time.perf_counter()
    return [record.pk for record in records], {
        "typed_in": typed - started, "copied": copied - typed, "submitted_and_verified": reviewed - copied}


# --- the race ----------------------------------------------------------------------------------------

def _still_waiting(record_pks: list[int]) -> set[int]:
    from metrology.records.models import Record

    return set(Record.objects.filter(pk__in=record_pks, state="verified").values_list("pk", flat=True))


def _approve(approver, pk: int, outcome: Outcome, signature) -> bool:
    """One try at approving the record, again while SQLite says it is busy; True when this one approved it."""
    from metrology.core.busy import is_database_busy
    from metrology.records.models import Record
    from metrology.workflow.engine import transition_apply
    from metrology.workflow.errors import WorkflowRefused

    for attempt in range(BUSY_TRIES):
        try:
            transition_apply(actor=approver, record=Record(pk=pk), action="approve", signature=signature)
        except WorkflowRefused as refusal:
            reasons = [str(problem) for problem in refusal.extra.get("problems", [refusal])]
            outcome.refusals.append((pk, reasons))
            return False
        except OperationalError as error:
            if connection.vendor != "sqlite" or not is_database_busy(error) or attempt == BUSY_TRIES - 1:
                raise
            outcome.busy_retries += 1
            time.sleep(0.02)
            continue
        outcome.approved.append(pk)
        return True
    raise AssertionError("unreachable")


def contend(person_pk: int, record_pks: list[int], start: threading.Barrier, *, seed: int, blind: bool
            ) -> Outcome:
    """One contender's thread, on a connection of its own. ``blind``: try every record, whatever its state."""
    from metrology.accounts.models import Person

    outcome, began = Outcome(person_pk), time.perf_counter()
    order = list(record_pks)
    random.Random(seed).shuffle(order)
    try:
        approver = Person.objects.get(pk=person_pk)
        signature = signed()
        start.wait(60)
        began = time.perf_counter()
        waiting = set(order) if blind else _still_waiting(record_pks)
        for pk in order:
            if pk not in waiting:
                continue
            if outcome.first_try is None:
                outcome.first_try = time.perf_counter() - began
            if not _approve(approver, pk, outcome, signature) and not blind:
                waiting = _still_waiting(record_pks)  # someone else was first: refresh, as the app asks
    except Exception as error:  # anything but a refusal is the finding
        outcome.errors.append(f"{type(error).__name__}: {error}")
    finally:
        outcome.done = time.perf_counter() - began
        connection.close()
    return outcome


def race(contenders: list[tuple[int, list[int], bool]], timeout: float = 300) -> tuple[list[Outcome], bool]:
    """Every contender (person, the records they try, blind) in a thread of its own, started together; the
    outcomes, and whether every thread finished."""
    outcomes: list[Outcome] = [Outcome(pk) for pk, _, _ in contenders]
    start = threading.Barrier(len(contenders))

    def run(n: int, pk: int, record_pks: list[int], blind: bool) -> None:
        outcomes[n] = contend(pk, record_pks, start, seed=n, blind=blind)

    threads = [threading.Thread(target=run, args=(n, *contender), daemon=True)
               for n, contender in enumerate(contenders)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return outcomes, not any(thread.is_alive() for thread in threads)


# --- the whole scenario, and what it left in the database ---------------------------------------------

def _messages(approved_pk: int, waiting_pk: int, inspector, verifier, approver) -> dict[str, str]:
    """The reasons a refusal gives: to an approver who was second (asked of the engine once more, which
    changes nothing), and the two separation-of-duties guards' to the inspector and to the verifier."""
    from django.utils import timezone

    from metrology.records.models import Record
    from metrology.workflow import guards
    from metrology.workflow.engine import active_workflow, transition_apply
    from metrology.workflow.errors import WorkflowRefused

    try:
        transition_apply(actor=approver, record=Record(pk=approved_pk), action="approve", signature=signed())
        second = ""
    except WorkflowRefused as refusal:
        second = str(refusal)
    record = Record.objects.select_related("item", "inspector").get(pk=waiting_pk)
    approve = active_workflow().transitions.select_related("workflow", "from_state").get(
        from_state__code="verified", action="approve")
    today = timezone.localdate()
    return {"second": second,
            "inspector": str(guards.verifier_is_not_the_inspector(inspector, record, approve, today) or ""),
            "verifier": str(guards.approver_is_not_an_earlier_signer(verifier, record, approve, today) or "")}


def _left_behind(record_pks: list[int]) -> dict:
    from metrology.core.audit import audit_chain_verify
    from metrology.core.models import AuditEvent
    from metrology.records.models import Record
    from metrology.workflow.models import Meaning, RecordStep, Signature

    records = {pk: {"state": state, "number": number, "steps": []} for pk, state, number in
               Record.objects.filter(pk__in=record_pks).values_list("pk", "state", "raw_record_number")}
    for record_id, *step in (RecordStep.objects.filter(record_id__in=record_pks).order_by("taken_at", "id")
                             .values_list("record_id", "action", "from_state", "to_state", "actor_id")):
        records[record_id]["steps"].append(step)
    report = audit_chain_verify()
    return {
        "records": {str(pk): facts for pk, facts in records.items()},
        "approval_signatures": [list(row) for row in Signature.objects.filter(
            record_id__in=record_pks, meaning=Meaning.APPROVED).values_list(
            "record_id", "signer_id", "step__action")],
        "audited_approvals": [event.after.get("raw_record_number") for event in AuditEvent.objects.filter(
            action="record.step_taken").only("after") if (event.after or {}).get("step") == "approve"],
        "chain_ok": report.ok,
        "chain_break": str(report.first_break) if report.first_break else "",
    }


def approval_race(*, approvers: int = 50, records: int = 200, guarded: int = 4,
                  fast_password_hashing: bool = True) -> dict:
    """Prepare, race, and report what happened as JSON-ready facts.

    ``records`` are raced by the approvers; the inspector and the verifier try those and ``guarded`` more,
    which nobody else tries, so that some of their tries meet a record still waiting: the guards must
    refuse them (``guarded=0``: the two do not race). ``fast_password_hashing``: the tests' MD5 instead
    of the site's Argon2 (about 0.2 s of CPU per signature, by design)."""
    if fast_password_hashing:
        from django.test.utils import override_settings

        override_settings(PASSWORD_HASHERS=FAST_HASHERS).enable()
    began = time.perf_counter()
    inspector = person("zhangsan", "张三", "inspector", "approver", qualification="JL-2026-I")
    verifier = person("lisi", "李四", "verifier", "approver", qualification="JL-2026-V")
    approvers_made = [person(f"approver{n:02d}", f"审批员{n:02d}", "approver", qualification=f"JL-2026-{n:03d}")
                      for n in range(approvers)]
    approver_pks = [approver.pk for approver in approvers_made]
    item, sub_type = fuel_dispenser()
    people_made = time.perf_counter() - began
    record_pks, timings = waiting_for_approval(count=records + guarded, inspector=inspector,
                                               verifier=verifier, item=item, sub_type=sub_type)
    raced, kept = record_pks[:records], record_pks[records:]
    waiting = len(_still_waiting(record_pks))
    connection.close()  # the threads open their own
    began = time.perf_counter()
    rivals = [(pk, record_pks, True) for pk in (inspector.pk, verifier.pk)] if kept else []
    outcomes, finished = race([(pk, raced, False) for pk in approver_pks] + rivals)
    seconds = time.perf_counter() - began
    return {
        "vendor": connection.vendor,
        "inspector": inspector.pk, "verifier": verifier.pk, "approvers": approver_pks,
        "raced": raced, "guarded": kept, "waiting_before": waiting, "finished": finished,
        "outcomes": [asdict(outcome) for outcome in outcomes],
        "messages": _messages(raced[0], (kept or raced)[0], inspector, verifier, approvers_made[0]),
        "seconds": {"people": people_made, **timings, "race": seconds},
        **_left_behind(record_pks),
    }


def main(**options) -> None:
    """For `metrology shell -c`: run the scenario and print one line "RESULT {json}"."""
    print("RESULT " + json.dumps(approval_race(**options), ensure_ascii=False), flush=True)
