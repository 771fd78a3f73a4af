"""Jobs of layouts (the PDF preview) run here by the suite's backend: the database queue or RQ (#8)."""

from __future__ import annotations

import pytest

from metrology.testing.jobs import InProcessJobs


@pytest.fixture
def layout_jobs(db) -> InProcessJobs:
    return InProcessJobs()


@pytest.fixture
def layout_files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"
