"""The audit log shows actions and object types by their Chinese names (#9)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from metrology.core.audit import AUDIT_ACTIONS, action_label, object_type_label

PACKAGE = Path(__file__).resolve().parents[2] / "apps" / "metrology"


def _enclosing_functions(tree: ast.Module) -> dict[ast.AST, ast.FunctionDef]:
    owner = {}
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            owner.setdefault(node, function)
    return {node: function for node, function in owner.items()}


def _codes(value: ast.expr, function: ast.FunctionDef | None) -> tuple[set[str], list[str], bool]:
    """Action codes an `action=` argument can be: (codes, f-string prefixes, passed in by a caller)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}, [], False
    if isinstance(value, ast.IfExp):
        body, orelse = _codes(value.body, function), _codes(value.orelse, function)
        return body[0] | orelse[0], body[1] + orelse[1], body[2] or orelse[2]
    if isinstance(value, ast.JoinedStr):
        first = value.values[0]
        return set(), [first.value if isinstance(first, ast.Constant) else ""], False
    if isinstance(value, ast.Name) and function is not None:
        if value.id in {a.arg for a in function.args.args + function.args.kwonlyargs}:
            return set(), [], True
        codes: set[str] = set()
        for node in ast.walk(function):
            source = None
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets):
                source = node.value
            elif isinstance(node, ast.For) and value.id in {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
                source = node.iter
            if source is not None:
                codes |= {c.value for c in ast.walk(source) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                          and "." in c.value}
        return codes, [], False
    raise AssertionError(f"name the audit action literally, not as {ast.unparse(value)}")


def audit_action_codes(sources: list[str]) -> tuple[set[str], list[str]]:
    """Every action code given to audit_log() (or to a function passing its own `action` on to it),
    and the prefixes of actions made with an f-string."""
    trees = [ast.parse(source) for source in sources]
    writers, codes, prefixes = {"audit_log"}, set(), []
    grew = True
    while grew:
        grew, codes, prefixes = False, set(), []
        for tree in trees:
            owners = _enclosing_functions(tree)
            for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
                name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
                action = next((k.value for k in call.keywords if k.arg == "action"), None)
                if name not in writers or action is None:
                    continue
                found, started, passed_in = _codes(action, owners.get(call))
                codes |= found
                prefixes += started
                if passed_in and owners[call].name not in writers:
                    writers.add(owners[call].name)
                    grew = True
    return codes, prefixes


def unlabelled(codes: set[str], prefixes: list[str], labels) -> list[str]:
    return sorted(codes - set(labels)) + [f"{p}…" for p in prefixes if not any(k.startswith(p) for k in labels)]


def _package_sources() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")
            if "migrations" not in path.parts and "testing" not in path.parts]


def test_every_audit_action_in_the_code_has_a_name():
    codes, prefixes = audit_action_codes(_package_sources())
    assert {"person.created", "procedure.draft_saved", "item.created", "role.permissions_revoked"} <= codes
    assert prefixes == ["regulation.text_"]
    missing = unlabelled(codes, prefixes, AUDIT_ACTIONS)
    assert not missing, f"add these to AUDIT_ACTIONS in metrology/core/audit.py: {missing}"


def test_the_action_scan_finds_codes_however_they_are_written():
    sample = '''
def save(*, actor, instance, action):
    audit_log(actor=actor, action=action, obj=instance)

def update(item):
    save(actor=None, instance=item, action="item.renamed" if item.pk else "item.born")

def grant(role, granted, revoked):
    for action, codes in (("role.got", granted), ("role.lost", revoked)):
        audit_log(actor=None, action=action, obj=role)
    audit_log(actor=None, action=f"role.state_{role.state}", obj=role)
'''
    codes, prefixes = audit_action_codes([sample])
    assert codes == {"item.renamed", "item.born", "role.got", "role.lost"}
    assert unlabelled(codes, prefixes, {"item.born": "x"}) == ["item.renamed", "role.got", "role.lost", "role.state_…"]


def test_an_extraction_outcome_is_named_for_each_state_it_can_end_in():
    from metrology.regulations.models import ExtractionState

    for state in (ExtractionState.DONE, ExtractionState.FAILED):
        assert f"regulation.text_{state}" in AUDIT_ACTIONS


def test_an_action_or_object_type_no_longer_known_is_shown_as_stored():
    assert action_label("something.old") == "something.old"
    assert object_type_label("gone.model") == "gone.model"


def _text(html: str) -> str:
    return re.sub(r"<[^>]*>", " ", html)


@pytest.mark.django_db
def test_the_audit_list_and_a_row_name_the_action_and_object_type_in_chinese(admin, login):
    from metrology.accounts.services.roles import role_create
    from metrology.core.models import AuditEvent

    role_create(actor=admin, code="lab", name="实验室")
    client = login(admin)
    listing = _text(client.get(reverse("desk:core_auditevent_changelist")).content.decode())
    assert "新增角色" in listing and "role.created" not in listing
    assert " 角色 " in listing and "accounts.role" not in listing
    event = AuditEvent.objects.filter(action="role.created").latest("id")
    page = _text(client.get(reverse("desk:core_auditevent_change", args=[event.pk])).content.decode())
    assert "新增角色" in page and "role.created" not in page
    filtered = client.get(reverse("desk:core_auditevent_changelist"), {"action": "role.created"})
    assert filtered.status_code == 200 and filtered.context["cl"].result_count == 1
