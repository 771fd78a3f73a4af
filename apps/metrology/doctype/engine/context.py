"""The record's context in formulas (R-4.1.2.6): its test type, sub-type and item are names every
formula can read, so one definition serves several sub-types that differ only in a limit or a factor,
e.g. ``LOOKUP("限值", 检测子类型)`` or ``IF(检测子类型 = "首次检定", 0.5, 1)``.

The caller gives the context as ``{"test_type": …, "sub_type": …, "item": …}`` (texts). A key not
given takes the definition's own value where the definition fixes it — its ``test_type``, its only
sub-type when ``sub_types`` lists exactly one, the name of its ``item`` — and is blank otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..formula import gettext_noop
from .problems import InputError, Problem

# context key → the name formulas read; these names cannot be field keys
CONTEXT_NAMES = {"test_type": "检测类型", "sub_type": "检测子类型", "item": "检测项目"}
RESERVED_NAMES = frozenset(CONTEXT_NAMES.values())


def context_defaults(definition: Mapping[str, Any]) -> dict[str, str | None]:
    """The context the definition itself fixes (see the module's description)."""
    sub_types = definition.get("sub_types")
    item = definition.get("item")
    return {
        "test_type": _text(definition.get("test_type")),
        "sub_type": _text(sub_types[0]) if isinstance(sub_types, list) and len(sub_types) == 1 else None,
        "item": _text(item.get("name")) if isinstance(item, Mapping) else None,
    }


def context_problems(context: Any, where: str = "context") -> list[Problem]:
    """What is wrong with a given context (empty list: fine)."""
    if context is None:
        return []
    if not isinstance(context, Mapping):
        template = gettext_noop("The context must be an object such as {example}")
        return [Problem("context", template, {"example": '{"sub_type": "后续检定"}'}, where=where)]
    problems = []
    for key, value in context.items():
        if key not in CONTEXT_NAMES:
            template = gettext_noop("The context has no key {key}; its keys are test_type, sub_type and item")
            problems.append(Problem("context", template, {"key": key}, where=where))
        elif value is not None and not isinstance(value, str):
            template = gettext_noop("The context value {key} must be text")
            problems.append(Problem("context", template, {"key": key}, where=where))
    return problems


def context_values(defaults: Mapping[str, str | None], *contexts: Mapping[str, Any] | None) -> dict[str, Any]:
    """Formula name → value: the defaults overridden by each given context in turn. Raises
    InputError for a context that is not an object of texts under the known keys."""
    merged = dict(defaults)
    for context in contexts:
        problems = context_problems(context)
        if problems:
            raise InputError(problems)
        for key, value in (context or {}).items():
            merged[key] = _text(value)
    return {CONTEXT_NAMES[key]: value for key, value in merged.items()}


def _text(value: Any) -> str | None:
    """A context value: a non-blank text, or None (blank)."""
    return value if isinstance(value, str) and value.strip() else None
