"""Bounds on what a request may make the server read and parse (#8).

A request body larger than the place it is sent to accepts is refused with 413 before anything
reads it: the check is on Content-Length, in the first middleware. Django reads a body only up to
its Content-Length (a body without one, e.g. chunked, is read as empty), so a refused length is the
only way to make it read more. The development server would still read the whole refused body
when it finishes the request; `_stop_draining` tells it not to, and the connection is closed.

JSON is parsed only after its nesting depth has been checked: Python's parser recurses once per
level, and a thousand nested arrays end in a RecursionError (a 500) instead of a clear 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

MiB = 1024 * 1024
MAX_JSON_DEPTH = 64

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


# -- request bodies ----------------------------------------------------------------------------

def body_limit_for(path: str) -> int:
    """Bytes a request to `path` may carry: the site's limit, or a larger one for the few places
    that accept larger files (settings.REQUEST_BODY_LIMITS_BY_PATH, longest prefix first)."""
    for prefix, limit in sorted(settings.REQUEST_BODY_LIMITS_BY_PATH.items(), key=lambda item: -len(item[0])):
        if path.startswith(prefix):
            return limit
    return settings.REQUEST_BODY_MAX_BYTES


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _stop_draining(request: HttpRequest) -> None:
    """The development server reads what is left of the body after the response, all at once;
    a refused body is left unread (the connection is closed instead)."""
    stream = request.META.get("wsgi.input")
    if isinstance(stream, LimitedStream):
        stream.limit = 0


def body_too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is too large: at most %(limit)s MiB may be sent here.") % {
        "limit": f"{limit / MiB:g}"}
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message}, status=413)
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    return response


def bad_length_response() -> HttpResponse:
    return HttpResponse(_("The request's Content-Length is not a number."), status=400,
                        content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    """Refuses a body above the limit for its path with 413, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length is None or length < 0:
            _stop_draining(request)
            return bad_length_response()
        limit = body_limit_for(request.path_info)
        if length > limit:
            _stop_draining(request)
            return body_too_large_response(request, limit)
        return self.get_response(request)


# -- JSON ----------------------------------------------------------------------------------------

class JsonTooDeep(ValueError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(json_too_deep_message(limit))


def json_too_deep_message(limit: int = MAX_JSON_DEPTH) -> str:
    return _("The JSON is nested more than %(limit)d levels deep.") % {"limit": limit}


def json_depth_check(text: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep when arrays and objects nest deeper than `max_depth`; strings are skipped,
    so brackets inside them do not count. Malformed JSON is left for the parser to report."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonTooDeep(max_depth)
        else:
            depth -= 1


def json_loads_bounded(text: str, *, max_depth: int = MAX_JSON_DEPTH, **options: Any) -> Any:
    """`json.loads` that refuses deep nesting with JsonTooDeep (a ValueError) instead of recursing."""
    json_depth_check(text, max_depth)
    try:
        return json.loads(text, **options)
    except RecursionError as exc:  # a recursion limit set lower than our depth bound
        raise JsonTooDeep(max_depth) from exc


class DepthBoundedJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 for JSON nested deeper than MAX_JSON_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            return json_loads_bounded(stream.read().decode(encoding), parse_constant=parse_constant)
        except JsonTooDeep as exc:
            raise ParseError(str(exc)) from exc
        except ValueError as exc:  # includes UnicodeDecodeError
            raise ParseError("JSON parse error - %s" % exc) from exc
