"""Constants the test personas share (fixtures live in tests/conftest.py)."""

from __future__ import annotations

PASSWORD = "Jiliang-2026"


def qualify(person, number: str, **dates):
    """Give the person a qualification for 燃油加油机 (valid 2024-03-01 to 2029-02-28 unless dates say otherwise)."""
    import datetime as dt

    from metrology.accounts.services.qualifications import qualification_add

    qualification_add(actor=None, person=person, certificate_number=number, issuing_body="示范省市场监督管理局",
                      items=["燃油加油机"], **{"issue_date": dt.date(2024, 3, 1), "valid_until": dt.date(2029, 2, 28),
                                              **dates})
    return person
