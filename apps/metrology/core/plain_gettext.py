"""`gettext` for code that also runs without Django: the command line working on a procedure file.

Inside Django (settings configured) it is Django's own `gettext`, following the active language.
Without Django it reads the same compiled catalogue, locale/<lang>/LC_MESSAGES/django.mo, with the
standard library, in the language chosen by `use_language` (the site's, or Chinese by default).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import sys
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DEFAULT_LANGUAGE = "zh-hans"

_language = DEFAULT_LANGUAGE


def use_language(language: str | None) -> None:
    """The language of messages when Django is not set up (a language code such as "zh-hans")."""
    global _language
    _language = language or DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    if _django_configured():
        from django.utils.translation import gettext as django_gettext

        return django_gettext(message)
    return _catalogue(_language).gettext(message)


def _django_configured() -> bool:
    conf = sys.modules.get("django.conf")  # never import Django just to ask
    return conf is not None and conf.settings.configured


def _locale_name(language: str) -> str:
    """Django's `to_locale`: "zh-hans" → "zh_Hans", "en-us" → "en_US"."""
    lang, _, country = language.lower().partition("-")
    if not country:
        return lang
    country = country.title() if len(country) > 2 else country.upper()
    return f"{lang}_{country}"


@lru_cache(maxsize=4)
def _catalogue(language: str) -> stdlib_gettext.NullTranslations:
    return stdlib_gettext.translation("django", LOCALE_DIR, languages=[_locale_name(language)], fallback=True)
