"""An object's history (Django's LogEntry) in the reader's language, fields named by their labels.

Django stores a change message with the changed fields' labels in English (it writes them with
translations switched off) and translates only its own sentence when it shows one, so a history read
"已修改Title 和 Withdrawal date". Here each stored label is matched back to its model field, whose
label is then shown in the active language.
"""

from __future__ import annotations

import json

from django import template
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

register = template.Library()


def _english(text) -> str:
    with translation.override(None):
        return str(text)


def _model_named(english_name: str) -> type[models.Model] | None:
    """The model whose verbose name (untranslated) is this, e.g. an inline's "qualification"."""
    return next((m for m in apps.get_models() if _english(m._meta.verbose_name) == english_name), None)


def field_label(model: type[models.Model] | None, stored: str) -> str:
    if model is not None:
        for field in model._meta.get_fields():
            label = getattr(field, "verbose_name", None)
            if label is not None and _english(capfirst(label)) == stored:
                return str(capfirst(label))
    for msgid in (stored, stored[:1].lower() + stored[1:]):  # a label of a form field of its own
        translated = gettext(msgid)
        if translated != msgid:
            return translated
    return stored


def words_list(words: list[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    separator = pgettext("between items of a list", ", ")
    return separator.join(words[:-1]) + pgettext("before the last item of a list", " and ") + words[-1]


def _model_name(model: type[models.Model] | None, stored: str) -> str:
    return str(model._meta.verbose_name) if model is not None else gettext(stored)


def _sentence(part: dict, model: type[models.Model] | None) -> str:
    if "added" in part:
        added = part["added"]
        if not added:
            return gettext("Added.")
        inline = _model_named(added["name"])
        return gettext("Added {name} “{object}”.").format(name=_model_name(inline, added["name"]),
                                                          object=added["object"])
    if "changed" in part:
        changed = part["changed"]
        owner = _model_named(changed["name"]) if "name" in changed else model
        fields = words_list([field_label(owner, name) for name in changed["fields"]])
        if "name" in changed:
            return gettext("Changed {fields} for {name} “{object}”.").format(
                fields=fields, name=_model_name(owner, changed["name"]), object=changed["object"])
        return gettext("Changed {fields}.").format(fields=fields)
    if "deleted" in part:
        deleted = part["deleted"]
        inline = _model_named(deleted["name"])
        return gettext("Deleted {name} “{object}”.").format(name=_model_name(inline, deleted["name"]),
                                                            object=deleted["object"])
    return ""


@register.filter
def change_message_in_words(entry: LogEntry) -> str:
    """What the entry's change message says, with every field and model named in the active language."""
    if not entry.change_message or entry.change_message[0] != "[":
        return entry.get_change_message()
    try:
        parts = json.loads(entry.change_message)
    except json.JSONDecodeError:
        return entry.change_message
    model = entry.content_type.model_class() if entry.content_type_id else None
    sentences = [sentence for sentence in (_sentence(part, model) for part in parts) if sentence]
    return _joined(sentences) if sentences else gettext("No fields changed.")


def _joined(sentences: list[str]) -> str:
    """Sentences one after the other: a space after an English full stop, none after a Chinese one."""
    text = sentences[0]
    for sentence in sentences[1:]:
        text += ("" if text.endswith(("。", "！", "？")) else " ") + sentence
    return text
