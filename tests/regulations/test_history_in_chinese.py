"""An object's history names the changed fields by their Chinese labels (#9), not "已修改Title 和 …"."""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.models import LogEntry
from django.urls import reverse


def test_the_history_of_a_regulation_names_the_changed_fields_in_chinese(admin, login, make_regulation):
    regulation = make_regulation("JJG 443-2023", "燃油加油机检定规程", effective_date=dt.date(2023, 9, 1))
    client = login(admin)
    response = client.post(reverse("desk:regulations_regulation_change", args=[regulation.pk]), {
        "code": regulation.code, "title": "燃油加油机", "kind": regulation.kind,
        "effective_date": "2023-09-01", "withdrawal_date": "2030-01-01",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = LogEntry.objects.get(object_id=str(regulation.pk)).change_message
    assert "Title" in stored and "Withdrawal date" in stored  # what Django keeps, in English

    page = client.get(reverse("desk:regulations_regulation_history", args=[regulation.pk])).content.decode()
    assert "已修改名称和废止日期。" in page
    assert "Title" not in page and "Withdrawal" not in page
