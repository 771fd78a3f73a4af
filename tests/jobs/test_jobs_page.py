"""The Desk's 后台任务 page (#12 item 3), on the database queue and on Redis + RQ: a failed job shows as
failed with its error, an administrator runs it again as a new job that runs, nobody else may, and the
page is in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django_tasks import task

from metrology.core.models import AuditEvent
from metrology.core.tasks import verify_audit_chain

pytestmark = pytest.mark.django_db

PAGE = "/desk/jobs/"
ROW = re.compile(r'<tr class="job" data-job="([^"]+)" data-state="(\w+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
TAG = re.compile(r"<[^>]+>")
SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.S)


@task()
def read_reading(path: str) -> str:
    """A job of this test module: it reads a file, and fails while the file is missing."""
    return Path(path).read_text(encoding="utf-8")


def _text(html: str) -> str:
    return " ".join(TAG.sub(" ", html).split())


def rows(page: str) -> list[dict]:
    """The listed jobs, top first: id, state and what the cells show (the error: its one line, not the
    traceback folded under it)."""
    found = []
    for job_id, state, body in ROW.findall(page):
        cells = CELL.findall(body)
        error = SUMMARY.search(cells[6])
        found.append({"id": job_id, "state": state, "task": _text(cells[0]), "state_shown": _text(cells[1]),
                      "attempts": _text(cells[5]), "error": _text(error.group(1)) if error else "",
                      "action": _text(cells[7])})
    return found


def page_of(client, query: str = "") -> str:
    response = client.get(PAGE + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def failed(jobs, tmp_path) -> Path:
    """A job that failed because its file was missing; the path it looks for."""
    missing = tmp_path / "reading.txt"
    read_reading.enqueue(str(missing))
    assert jobs.run() == 1
    return missing


def test_a_failed_job_shows_as_failed_with_the_last_line_of_its_error(failed, admin, login):
    page = page_of(login(admin), "?state=failed")
    [job] = rows(page)
    assert (job["state"], job["state_shown"], job["attempts"]) == ("failed", "失败", "1")
    assert job["task"].endswith(".read_reading")  # a task with no Chinese name is shown by its path
    assert job["error"].startswith("FileNotFoundError: [Errno 2] No such file or directory:")
    assert job["error"].endswith("reading.txt&#x27;")
    assert "重新运行" in job["action"]
    assert 'data-queued="0" data-failed="1"' in page and "排队中 0 个，失败 1 个。" in page


def test_running_a_failed_job_again_queues_a_new_job_that_runs(failed, jobs, admin, login):
    client = login(admin)
    [old] = rows(page_of(client, "?state=failed"))
    failed.write_text("12.5", encoding="utf-8")  # what made it fail is fixed

    response = client.post(f"{PAGE}{old['id']}/rerun/", follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    page = response.content.decode()
    [new] = [job for job in rows(page) if job["id"] != old["id"]]
    assert new["state"] == "queued" and f"已作为新任务 {new['id']} 重新排队" in page
    assert jobs.queued() == 1 and jobs.run() == 1
    listed = rows(page_of(client))
    assert [(job["id"], job["state"]) for job in listed] == [(new["id"], "succeeded"), (old["id"], "failed")]
    assert listed[0]["state_shown"] == "成功" and listed[0]["attempts"] == "1" and listed[0]["error"] == ""
    audit = AuditEvent.objects.get(action="job.rerun")
    assert audit.actor == admin and audit.before["job"] == old["id"] and audit.after["job"] == new["id"]
    assert audit.after["args"] == [str(failed)] and audit.after["task"].endswith(".read_reading")


def test_a_person_without_the_permission_gets_403_and_cannot_run_a_job_again(failed, jobs, supervisor, login):
    [failed_id] = [job.id for job in _listed_failed()]
    client = login(supervisor)  # may read the audit log, may not manage roles

    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}{failed_id}/rerun/").status_code == 403
    assert Client().post(f"{PAGE}{failed_id}/rerun/").status_code == 403  # not logged in at all
    assert jobs.queued() == 0 and not AuditEvent.objects.filter(action="job.rerun").exists()


def test_running_a_job_again_needs_the_forms_csrf_token(failed, jobs, admin):
    [failed_id] = [job.id for job in _listed_failed()]
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin, backend="metrology.accounts.backends.RoleBackend")

    assert client.post(f"{PAGE}{failed_id}/rerun/").status_code == 403
    assert jobs.queued() == 0
    page = page_of(client, "?state=failed")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(f"{PAGE}{failed_id}/rerun/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert jobs.queued() == 1


def test_the_page_lists_jobs_in_chinese_newest_first(failed, jobs, admin, login):
    verify_audit_chain.enqueue()
    page = page_of(login(admin))

    for words in ("后台任务", "任务", "状态", "加入队列时间", "开始时间", "结束时间", "尝试次数", "错误",
                  "全部", "运行中", "幂等"):
        assert words in page, words
    listed = rows(page)
    assert [(job["task"], job["state_shown"]) for job in listed][0] == ("校验审计日志", "排队中")
    assert listed[1]["state_shown"] == "失败"
    assert "排队中 1 个，失败 1 个。" in page


def test_the_list_is_filtered_by_state_and_paginated(failed, jobs, admin, login, monkeypatch):
    from metrology.core.jobs import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    queued = [str(verify_audit_chain.enqueue().id) for _ in range(3)]
    client = login(admin)

    first, second = rows(page_of(client, "?state=queued")), rows(page_of(client, "?state=queued&page=2"))
    assert [job["id"] for job in first + second] == queued[::-1]
    assert {job["state"] for job in first + second} == {"queued"}
    assert '<span class="this-page">2</span>' in page_of(client, "?state=queued&page=2")
    assert [job["state"] for job in rows(page_of(client, "?state=failed"))] == ["failed"]
    assert len(rows(page_of(client))) == 2 and "4 个任务" in page_of(client)


def test_an_unknown_state_is_named_in_a_chinese_message_and_everything_is_listed(failed, jobs, admin, login):
    page = page_of(login(admin), "?state=lost")
    assert re.search(r'id="jobs-filter-error"><p>状态：[^<]*lost', page)
    assert len(rows(page)) == 1


def test_only_a_failed_job_still_kept_can_be_run_again(jobs, admin, login):
    client = login(admin)
    waiting = str(verify_audit_chain.enqueue().id)

    page = client.post(f"{PAGE}{waiting}/rerun/", follow=True).content.decode()
    assert "只有失败的任务才能重新运行，该任务为「排队中」。" in page
    page = client.post(f"{PAGE}00000000-0000-0000-0000-000000000000/rerun/", follow=True).content.decode()
    assert "该任务已不再保留，无法重新运行。" in page
    assert jobs.queued() == 1 and not AuditEvent.objects.filter(action="job.rerun").exists()


def test_a_certificate_that_cannot_be_numbered_fails_with_its_reason_and_runs_again(
        jobs, complete, inspector, verifier, approver, admin, login, django_capture_on_commit_callbacks):
    from metrology.testing.signing import take

    record = complete(serial_number="JY-JOBS-0001", client="示范加油站有限公司")
    take(inspector, record, "submit")
    take(verifier, record, "verify")
    with django_capture_on_commit_callbacks(execute=True):
        take(approver, record, "approve")  # queues the issuing; no certificate numbering scheme exists
    jobs.run()
    client = login(admin)
    [job] = rows(page_of(client, "?state=failed"))
    assert (job["task"], job["state_shown"]) == ("签发证书", "失败")
    assert "没有编号规则；请联系管理员添加后重新签发。" in job["error"]

    client.post(f"{PAGE}{job['id']}/rerun/")
    assert jobs.run() == 1  # the same approval issued again: still refused, so failed again, as a new job
    assert [(row["task"], row["state"]) for row in rows(page_of(client, "?state=failed"))] == [
        ("签发证书", "failed"), ("签发证书", "failed")]


def test_administrators_reach_the_page_from_the_audit_log(admin, supervisor, login):
    audit_log_list = "/desk/core/auditevent/"
    page = login(admin).get(audit_log_list).content.decode()
    assert re.search(r'<a href="/desk/jobs/" class="button" id="jobs-link">后台任务</a>', page)
    assert 'id="jobs-link"' not in login(supervisor).get(audit_log_list).content.decode()


def _listed_failed():
    from metrology.core.jobs import FAILED, job_queue

    return job_queue().listing(FAILED)[0:10]


def test_a_redis_that_cannot_be_reached_is_said_on_the_page_and_refuses_running_again(switch_backend, admin,
                                                                                        login):
    switch_backend("rq", redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    client = login(admin)
    page = page_of(client)
    assert "无法读取任务队列（Redis: ConnectionError），请检查 Redis 是否在运行。" in page and not rows(page)
    page = client.post(f"{PAGE}some-job/rerun/", follow=True).content.decode()
    assert "无法连接任务队列，请稍后重试。" in page
    assert not AuditEvent.objects.filter(action="job.rerun").exists()
