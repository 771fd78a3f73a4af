"""#8: one slow write does not stall the site.

A fresh site (SQLite file in WAL + IMMEDIATE mode, or a new MariaDB database when
METROLOGY_TEST_DATABASE_URL is set) whose writes wait at most 1 s for a lock
(`database_lock_timeout`). One thread holds an audited change open; meanwhile the API and the
Desk are asked for writes. A write that cannot get its lock answers 503 with a retry message and
Retry-After, never a 500; a write that needs nothing the open change holds does not wait for it
(audit rows lock no shared chain head), on a database that locks rows.
"""

from __future__ import annotations

import json

from django.utils import translation
from django.utils.html import escape

from metrology.core.busy import busy_message

SCRIPT = r"""
import json, threading, time
from django.db import connection, transaction
from django.test import Client
from metrology.accounts.models import Person
from metrology.accounts.services import people
from metrology.core.audit import audit_chain_verify

admin = Person.objects.get(username="admin")
people_made = {name: people.person_create(actor=admin, username=name, password="Jiliang-2026x", name=name)
               for name in ("held", "other")}
api = Client(HTTP_HOST="localhost")
api.force_login(admin, backend="metrology.accounts.backends.RoleBackend")


def hold_open(username, held, release):
    with transaction.atomic():
        people.person_update(actor=admin, person=Person.objects.get(username=username), title="慢")
        held.set()
        release.wait(30)
    connection.close()


def while_held(username, request):
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_open, args=(username, held, release))
    holder.start()
    held.wait(10)
    started = time.monotonic()
    response = request()
    seconds = time.monotonic() - started
    release.set()
    holder.join(30)
    return {"status": response.status_code, "seconds": seconds, "retry_after": response.get("Retry-After"),
            "type": response.get("Content-Type"), "body": response.content.decode()}


def patch(username):
    pk = Person.objects.get(username=username).pk
    body = json.dumps({"title": "快"})
    return lambda: api.patch(f"/api/people/{pk}/", data=body, content_type="application/json")


def login(username):
    form = {"username": username, "password": "Jiliang-2026x"}
    return lambda: Client(HTTP_HOST="localhost").post("/login/", form)


result = {
    "vendor": connection.vendor,
    "same_row_api": while_held("other", patch("other")),
    "same_row_desk": while_held("other", login("other")),
    "unrelated_api": while_held("held", patch("other")),
}
time.sleep(0.2)
result["chain_ok"] = audit_chain_verify().ok
print("RESULT " + json.dumps(result, ensure_ascii=False))
"""


def _run(cli_sites) -> dict:
    cli_sites.new_site("institute")
    config_path = cli_sites.root / "institute" / "site_config.json"
    config = json.loads(config_path.read_text())
    config["database_lock_timeout"] = 1
    config_path.write_text(json.dumps(config))
    output = cli_sites.run("shell", "-c", SCRIPT, timeout=120).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _is_retry_answer(answer: dict) -> bool:
    return answer["status"] == 503 and answer["retry_after"] and answer["seconds"] < 5


def test_a_busy_database_answers_503_with_a_retry_message_and_an_unrelated_write_is_not_held_up(cli_sites):
    outcome = _run(cli_sites)

    api = outcome["same_row_api"]
    assert _is_retry_answer(api), api
    assert api["type"] == "application/json" and json.loads(api["body"])["code"] == "database_busy"
    with translation.override("zh-hans"):
        assert json.loads(api["body"])["detail"] == busy_message()

    desk = outcome["same_row_desk"]
    assert _is_retry_answer(desk), desk
    assert desk["type"].startswith("text/html") and "<h1>" in desk["body"]
    with translation.override("zh-hans"):
        assert escape(busy_message()) in desk["body"]

    unrelated = outcome["unrelated_api"]
    if outcome["vendor"] == "sqlite":  # SQLite has one writer at a time: the second one is told to retry
        assert _is_retry_answer(unrelated), unrelated
    else:
        assert unrelated["status"] == 200 and unrelated["seconds"] < 1, unrelated
    assert outcome["chain_ok"]
