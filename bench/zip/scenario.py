"""Run inside a throwaway site (`metrology --site NAME shell -c ...`, see run.py): stores synthetic
certificate and raw-record PDFs for --certificates certificates, then times the zip job over all of
them and prints one line "RESULT {json}"."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import time
import zipfile

PAGE_SIZES = (60_000, 150_000)  # bytes: the typical signed certificate or raw record PDF


def synthetic_pdf(size: int, seed: int) -> bytes:
    """A valid one-page PDF of about `size` bytes whose content does not compress, as a signed PDF's."""
    side = int((size / 3) ** 0.5)
    pixels = random.Random(seed).randbytes(side * side * 3)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
               b"/Length %d >>\nstream\n" % (side, side, len(pixels)) + pixels + b"\nendstream",
               b"<< /Length 35 >>\nstream\nq 500 0 0 500 48 300 cm /Im1 Do Q\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def prepare(count: int, raw: bool) -> list[int]:
    """`count` issued certificates on one record, each with its own approval step and stored files."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from metrology.certificates.models import Certificate
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.records.services import record_start
    from metrology.testing.review import fuel_dispenser
    from metrology.testing.review import person as qualified_person
    from metrology.workflow.models import RecordStep

    item, sub_type = fuel_dispenser()
    person = qualified_person("zhangsan", "张三", "inspector", qualification="JL-2024-0001")
    record = record_start(actor=person, item=item, sub_type=sub_type)
    rng = random.Random(1)
    samples = [synthetic_pdf(rng.randint(*PAGE_SIZES), seed) for seed in range(20)]
    with transaction.atomic():
        steps = RecordStep.objects.bulk_create([
            RecordStep(record=record, action="approve", label="批准", from_state="verified", to_state="approved",
                       actor=person) for _ in range(count)])
        now, made = timezone.now(), []
        for n, step in enumerate(steps, start=1):
            number = f"JD-2026-{n:05d}"
            pdf, raw_pdf = samples[n % len(samples)], samples[(n * 7 + 3) % len(samples)]
            made.append(Certificate(
                record=record, approval=step, kind=DocumentKind.CERTIFICATE, number=number,
                state=Certificate.State.ISSUED, numbered_at=now, issued_at=now,
                pdf=default_storage.save(f"certificates/{number}.pdf", ContentFile(pdf)),
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                raw_record_pdf=default_storage.save(f"certificates/{number}-raw.pdf", ContentFile(raw_pdf)) if raw
                else "",
                raw_record_sha256=hashlib.sha256(raw_pdf).hexdigest() if raw else ""))
        Certificate.objects.bulk_create(made)
    return list(Certificate.objects.order_by("number").values_list("pk", flat=True))


def main(certificates: int = 1000, raw: bool = True, rounds: int = 3) -> None:
    from django.core.files.storage import default_storage
    from metrology.accounts.models import Person
    from metrology.certificates.downloads import certificate_zip_make
    from metrology.certificates.models import Certificate, DownloadBatch

    started = time.monotonic()
    ids = prepare(certificates, raw)
    prepared = time.monotonic() - started
    stored = sum(default_storage.size(name) for pair in Certificate.objects.values_list("pdf", "raw_record_pdf")
                 for name in pair if name)
    person = Person.objects.order_by("pk").first()
    runs = []
    for _ in range(rounds):
        batch = DownloadBatch.objects.create(requested_by=person, certificates=ids)
        os.sync()
        started = time.monotonic()
        batch = certificate_zip_make(batch_id=batch.pk)
        seconds = time.monotonic() - started
        with default_storage.open(batch.file, "rb") as handle:
            archive = zipfile.ZipFile(handle)
            names = archive.namelist()
            bad = archive.testzip()
        runs.append({"seconds": seconds, "files": batch.done, "entries": len(names), "zip_bytes":
                     default_storage.size(batch.file), "state": batch.state, "crc_ok": bad is None})
    print("RESULT " + json.dumps({"certificates": certificates, "stored_bytes": stored, "prepare_seconds": prepared,
                                  "runs": runs}), flush=True)
