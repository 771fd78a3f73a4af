"""Preview PDFs are fetched within minutes of being made, so the old ones do not pile up in the site's files."""

from __future__ import annotations

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from metrology.print_formats.preview import PREVIEW_KEEP, preview_made, previews_prune
from metrology.print_formats.converter import ConverterError


def _aged(name: str, age: dt.timedelta) -> None:
    then = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(name), (then, then))


def test_previews_older_than_a_day_are_deleted_and_recent_ones_kept(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    old = default_storage.save("previews/old.pdf", ContentFile(b"%PDF-old"))
    fresh = default_storage.save("previews/fresh.pdf", ContentFile(b"%PDF-fresh"))
    _aged(old, PREVIEW_KEEP + dt.timedelta(minutes=1))
    assert previews_prune("previews") == 1
    assert (default_storage.exists(old), default_storage.exists(fresh)) == (False, True)


def test_making_a_preview_prunes_its_folder_and_keeps_the_new_one(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    old = default_storage.save("previews/records/1-old.pdf", ContentFile(b"%PDF-old"))
    _aged(old, PREVIEW_KEEP * 2)
    made = preview_made("previews/records", "1", lambda: b"%PDF-new")
    assert default_storage.open(made["pdf"]).read() == b"%PDF-new"
    assert not default_storage.exists(old)


def test_a_preview_that_cannot_be_converted_is_a_result_not_a_crash(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)

    def fails() -> bytes:
        raise ConverterError("soffice exited with 81")

    assert "soffice exited with 81" in preview_made("previews", "x", fails)["error"]
