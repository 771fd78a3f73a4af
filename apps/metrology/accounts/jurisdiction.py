"""A person's jurisdiction (管辖区域): the districts whose records, certificates and audit rows they see.

A record is in a district when its user's address (使用单位地址) or its client names the district.
An empty jurisdiction is the whole institute. Who may see records at all is still decided by the
permissions; a jurisdiction only narrows what those permissions show (a government supervisor's
districts, issue #13).
"""

from __future__ import annotations

import re

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

SEPARATORS = re.compile(r"[、,，;；\n]+")
RECORD_TYPE = "records.record"
CERTIFICATE_TYPE = "certificates.certificate"


def split_regions(text: str) -> list[str]:
    """The district names of a jurisdiction as typed, in order, each once."""
    names = (name.strip() for name in SEPARATORS.split(text or ""))
    return list(dict.fromkeys(name for name in names if name))


def regions(person) -> list[str]:
    """The districts of the person's jurisdiction; empty for the whole institute."""
    return split_regions(getattr(person, "jurisdiction", "") or "")


def _in_regions(names: list[str], prefix: str = "") -> Q:
    found = Q()
    for name in names:
        found |= Q(**{f"{prefix}user_address__contains": name}) | Q(**{f"{prefix}client__contains": name})
    return found


def records_in_jurisdiction(person, records: QuerySet) -> QuerySet:
    """The records of `records` in the person's jurisdiction (all of them when it is empty)."""
    names = regions(person)
    return records.filter(_in_regions(names)) if names else records


def certificates_in_jurisdiction(person, certificates: QuerySet) -> QuerySet:
    """The certificates of `certificates` whose record is in the person's jurisdiction."""
    names = regions(person)
    return certificates.filter(_in_regions(names, "record__")) if names else certificates


def audit_in_jurisdiction(person, events: QuerySet) -> QuerySet:
    """For a person with a jurisdiction, only the audit rows about its records and their certificates;
    every row otherwise. Audit rows name their object by type (app.model) and id as text."""
    names = regions(person)
    if not names:
        return events
    from metrology.certificates.models import Certificate
    from metrology.records.models import Record

    # Both sides are cast to text: MariaDB refuses to compare the column with a cast of a different
    # collation (the column's is the database's, a cast's the connection's); PostgreSQL refuses text = bigint.
    def as_text(expression: str) -> Cast:
        return Cast(expression, output_field=CharField(max_length=64))

    def ids_of(queryset: QuerySet) -> QuerySet:
        return queryset.order_by().annotate(id_text=as_text("pk")).values("id_text")

    records = Record.objects.filter(_in_regions(names))
    certificates = Certificate.objects.filter(_in_regions(names, "record__"))
    return events.alias(object_key=as_text("object_id")).filter(
        Q(object_type=RECORD_TYPE, object_key__in=ids_of(records))
        | Q(object_type=CERTIFICATE_TYPE, object_key__in=ids_of(certificates)))
