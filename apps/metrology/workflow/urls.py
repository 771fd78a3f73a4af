from __future__ import annotations

from django.urls import path

from metrology.workflow import api

app_name = "workflow"
urlpatterns = [
    path("waiting/", api.waiting, name="waiting"),
    path("waiting/count/", api.waiting_count, name="waiting-count"),
    path("records/<int:pk>/", api.record_detail, name="record"),
    path("records/<int:pk>/steps/<slug:action>/", api.step_take, name="step"),
    path("records/<int:pk>/handover/<slug:action>/", api.handover_take, name="handover"),
    path("signatures/<int:pk>/image/", api.signature_image, name="signature-image"),
]
