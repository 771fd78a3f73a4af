"""Where the time of one save goes, in this process (no network, no gunicorn): the same request
through Django's test client on the bench's site, timed three ways: the whole request, its SQL
(count and time, by statement), and computing the live results; then a cProfile pass grouped by
package. Run after the server has stopped, so nothing else uses the machine."""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import time
import uuid
from collections import defaultdict

from bench_site import PASSWORD, f1_entry_order

SAVES = 200


class SqlTimer:
    """connection.execute_wrapper: time and count each statement, by its shape."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.by_shape: dict[str, list[float]] = defaultdict(list)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            self.count += 1
            self.by_shape[_shape(sql)].append(spent)


def _shape(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    verb = sql.split(" ", 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+[`"]?(\w+)', sql, re.IGNORECASE)
    return f"{verb} {table.group(1) if table else ''}{' FOR UPDATE' if 'FOR UPDATE' in sql.upper() else ''}"


class CallTimer:
    """Wraps a function where the save path calls it, and adds up its time."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        return timed


def _client(username: str, device: str):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_DEVICE_ID=device)
    answer = client.post("/api/devices/login/", {"username": username, "password": PASSWORD,
                                                 "device_identifier": device, "device_name": "bench phone"},
                         content_type="application/json", HTTP_USER_AGENT="bench/entry")
    if answer.status_code != 200:
        raise SystemExit(f"bench/entry: profile login refused: {answer.status_code} {answer.content[:200]!r}")
    return client


def _saves(client, record_id: int, count: int) -> None:
    values = f1_entry_order()
    for number in range(count):
        body = {**values[number % len(values)], "request_id": f"profile-{uuid.uuid4().hex}"}
        answer = client.post(f"/api/records/{record_id}/values/", json.dumps(body, ensure_ascii=False),
                             content_type="application/json")
        if answer.status_code != 200:
            raise SystemExit(f"bench/entry: profiled save refused: {answer.status_code} {answer.content[:200]!r}")


def _grouped(profile: cProfile.Profile) -> list[tuple[str, float]]:
    groups: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profile).stats.items():
        groups[_package(filename)] += tottime
    return sorted(groups.items(), key=lambda kv: -kv[1])


def _package(filename: str) -> str:
    for marker, name in (("/metrology/doctype/", "metrology engine (doctype: formula, compute)"),
                         ("/metrology/records/", "metrology records (entry plan, services)"),
                         ("/metrology/", "metrology other (middleware, audit, devices)"),
                         ("/rest_framework/", "Django REST framework"), ("/django/db/", "Django ORM"),
                         ("/django/", "Django other (request, middleware, sessions)"),
                         ("/MySQLdb/", "database driver"), ("sqlite3", "database driver")):
        if marker in filename:
            return name
    return "database driver (C) and stdlib" if filename.startswith("~") else "stdlib and others"


def report(username: str, device: str, record_id: int) -> None:
    from django.db import connection
    from metrology.records import api, services

    client = _client(username, device)
    _saves(client, record_id, 20)  # plan cached, connection open
    compute, transaction = CallTimer(), CallTimer()
    services.live_results = compute.wrap(services.live_results)
    api.live_results = compute.wrap(api.live_results)
    services.value_save = transaction.wrap(services.value_save)  # one transaction: SQLite's write lock
    sql = SqlTimer()
    with connection.execute_wrapper(sql):
        start = time.perf_counter()
        _saves(client, record_id, SAVES)
        wall = time.perf_counter() - start
    per = 1000 / SAVES
    print(f"profile of one save, in process ({SAVES} saves, {connection.vendor}): {wall * per:.2f} ms a save: "
          f"SQL {sql.seconds * per:.2f} ms in {sql.count / SAVES:.1f} statements, "
          f"live results {compute.seconds * per:.2f} ms in {compute.calls / SAVES:.1f} calls, "
          f"the rest (Django, DRF, middleware, commits) {(wall - sql.seconds - compute.seconds) * per:.2f} ms")
    print(f"  the save's transaction (value_save: on SQLite the whole database's write lock) lasts "
          f"{transaction.seconds * per:.2f} ms")
    for shape, times in sorted(sql.by_shape.items(), key=lambda kv: -sum(kv[1])):
        print(f"  SQL {len(times) / SAVES:4.1f}× {sum(times) * per:5.2f} ms  {shape}")
    profile = cProfile.Profile()
    profile.runcall(_saves, client, record_id, SAVES)
    commits = [(calls, tottime) for (_f, _l, name), (_cc, calls, tottime, _ct, _c) in pstats.Stats(profile).stats.items()
               if name.startswith("<method 'commit' of")]
    if commits:
        print(f"  commits {sum(c for c, _t in commits) / SAVES:.1f}× {sum(t for _c, t in commits) * per:.2f} ms "
              "(under cProfile; not in the SQL figure)")
    total = sum(seconds for _group, seconds in _grouped(profile))
    for group, seconds in _grouped(profile):
        print(f"  cProfile {seconds / total:5.1%}  {group}")
