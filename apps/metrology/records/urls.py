"""The records API, included under /api/ (metrology.urls): /api/records/…, /api/standards/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from metrology.records.api import RecordViewSet, StandardViewSet

router = SimpleRouter()
router.register("records", RecordViewSet, basename="record")
router.register("standards", StandardViewSet, basename="standard")

urlpatterns = router.urls
