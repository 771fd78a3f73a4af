from __future__ import annotations

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from metrology.accounts.api import ObtainTokenView, PersonViewSet, RevokeTokenView, RoleViewSet
from metrology.accounts.forms import DeskLoginForm
from metrology.certificates.public import certificate_verify
from metrology.certificates.signing_page import signing_page
from metrology.certificates.void_page import void_page
from metrology.core.desk import desk_site
from metrology.core.jobs.views import job_rerun_page, jobs_page
from metrology.core.views import api_docs, healthz

desk_site.login_form = DeskLoginForm

api = DefaultRouter()
api.register("people", PersonViewSet, basename="person")
api.register("roles", RoleViewSet, basename="role")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="desk:index", permanent=False)),
    path("login/", desk_site.login, name="login"),
    path("logout/", desk_site.logout, name="logout"),
    path("desk/certificates/certificate/<int:pk>/void/", void_page, name="certificate-void"),
    path("desk/certificates/signing/", signing_page, name="certificate-signing"),
    path("desk/jobs/", jobs_page, name="desk-jobs"),
    path("desk/jobs/<str:job_id>/rerun/", job_rerun_page, name="desk-job-rerun"),
    path("desk/", desk_site.urls),
    path("m/", include("metrology.mobile.urls")),
    path("api/devices/", include("metrology.devices.urls")),
    path("api/passkeys/", include("metrology.passkeys.urls")),
    path("api/workflow/", include("metrology.workflow.urls")),
    path("api/", include(api.urls)),
    path("api/", include("metrology.records.urls")),
    path("api/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/auth/", include("rest_framework.urls")),
    path("healthz", healthz, name="healthz"),
    path("v/<str:token>/", certificate_verify, name="certificate-verify"),
]
