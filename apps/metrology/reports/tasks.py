"""The job that makes a report's export file (run by `metrology worker`, never in a web request)."""

from __future__ import annotations

from django_tasks import task

from metrology.reports.exports import report_export_make


@task()
def make_report_export(export_id: int) -> dict:
    """Make one export's file; running it again after it is done changes nothing."""
    export = report_export_make(export_id=export_id)
    return {"export": export.pk, "state": export.state, "done": export.done, "sha256": export.sha256}
