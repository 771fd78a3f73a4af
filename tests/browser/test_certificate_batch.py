"""The batch download's page in a real browser: the progress bar follows the job, then the link shows (#12)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from metrology.certificates.models import Certificate
from metrology.testing.certificates import cheap_certificates
from metrology.testing.jobs import InProcessJobs
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_batch_page_shows_the_progress_and_then_the_link_in_a_browser(new_page, admin, approver, start, settings,
                                                                         tmp_path):
    from metrology.certificates.downloads import download_batch_create

    settings.MEDIA_ROOT = str(tmp_path / "files")
    jobs = InProcessJobs()
    cheap_certificates(start, approver, 3)
    batch = download_batch_create(actor=admin, certificates=Certificate.objects.order_by("number"))
    page = new_page()
    failures = []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    url = reverse("desk:certificates_downloadbatch_page", args=[batch.pk])
    page.goto(f"/login/?next={url}")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")
    expect(page.locator("#download-batch")).to_have_attribute("data-state", "waiting")
    expect(page.locator("#download-ready")).to_be_hidden()
    jobs.run()
    expect(page.locator("#download-batch")).to_have_attribute("data-state", "done")
    expect(page.locator("#download-ready")).to_be_visible()
    expect(page.locator("#download-link")).to_have_attribute(
        "href", reverse("desk:certificates_downloadbatch_file", args=[batch.pk]))
    assert page.locator("#download-progress").evaluate("bar => bar.value === bar.max")
    assert failures == []
