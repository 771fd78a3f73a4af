"""System checks for site configuration the platform cannot run without."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def site_folders_check(app_configs, **kwargs) -> list:
    problems = []
    site = settings.SITE
    for folder, label in ((site.files_dir, "files"), (site.keys_dir, "keys")):
        if not folder.is_dir():
            problems.append(
                Error(
                    f"The site's {label} folder {folder} does not exist.",
                    hint="Recreate it, or re-run `metrology new-site`.",
                    id="metrology.E001",
                )
            )
    if settings.DEBUG and "*" in settings.ALLOWED_HOSTS:
        problems.append(Warning("DEBUG with ALLOWED_HOSTS '*' exposes debug pages.", id="metrology.W001"))
    return problems


@register()
def front_end_libraries_check(app_configs, **kwargs) -> list:
    return [
        Error(f"The front-end library {name} is not installed ({folder} is missing).",
              hint="Run `make setup` (it runs `npm ci`).", id="metrology.E002")
        for name, folder in settings.VENDOR_STATIC.items() if not folder.is_dir()
    ]
