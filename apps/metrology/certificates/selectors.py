"""Reads on certificates: the Desk's list, a certificate's files and the batches a person asked for."""

from __future__ import annotations

from django.db.models import QuerySet

from metrology.certificates.models import Certificate, DownloadBatch


def certificates() -> QuerySet[Certificate]:
    """Every certificate with what its list row shows (instrument, client, inspector) in one query."""
    return Certificate.objects.select_related("record__item", "record__sub_type__parent", "record__inspector")


def certificates_in_order(ids: list[int]) -> list[Certificate]:
    """The certificates of a download batch, in the order they were asked for."""
    found = {c.pk: c for c in certificates().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def current_pdf(certificate: Certificate) -> tuple[str, str]:
    """The file that stands for the certificate now, with its SHA-256: the voided PDF once it is void
    (the original is kept and offered apart), else the signed PDF; ('', '') while it is being made."""
    if certificate.state == Certificate.State.VOID and certificate.void_pdf:
        return certificate.void_pdf, certificate.void_pdf_sha256
    return certificate.pdf, certificate.pdf_sha256


def instrument(certificate: Certificate) -> str:
    """The instrument in one line: item name, model and serial number, those present."""
    record = certificate.record
    return " ".join(part for part in (record.item.name, record.instrument_model, record.serial_number) if part)


def batch_of(*, pk: int, person) -> DownloadBatch | None:
    """A download batch, only for the person who asked for it."""
    return DownloadBatch.objects.filter(pk=pk, requested_by=person).first()
