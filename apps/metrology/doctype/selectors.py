from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.models import Item, ProcedureVersion


def version_by_label(label: str) -> ProcedureVersion:
    """`CODE@N` is version N; `CODE` alone is the published version (else the newest)."""
    code, _sep, number = label.partition("@")
    versions = ProcedureVersion.objects.select_related("procedure").filter(procedure__code=code)
    if number:
        version = versions.filter(number=number).first() if number.isdigit() else None
    else:
        version = (versions.filter(status=ProcedureVersion.Status.PUBLISHED).order_by("-number").first()
                   or versions.order_by("-number").first())
    if version is None:
        raise ProcedureRefused(_("No procedure version %(label)s.") % {"label": label})
    return version


def authorised_items() -> QuerySet[Item]:
    """The only items work may be done on (R-4.3.5.3)."""
    return Item.objects.filter(is_authorised=True)
