"""The job that zips a batch of certificates (run by `metrology worker`, never in a web request)."""

from __future__ import annotations

from django_tasks import task

from metrology.certificates.downloads import certificate_zip_make


@task()
def make_certificate_zip(batch_id: int) -> dict:
    """Zip one download batch; running it again after it is done changes nothing."""
    batch = certificate_zip_make(batch_id=batch_id)
    return {"batch": batch.pk, "state": batch.state, "files": batch.done, "sha256": batch.sha256}
