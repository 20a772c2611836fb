"""Responses an app or a crawler can poll cheaply: ETag (a hash of the body), Last-Modified,
Cache-Control public, and 304 Not Modified when the copy it holds is still the current one."""

from __future__ import annotations

import datetime
import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date


def conditional_response(
    request: HttpRequest,
    body: bytes,
    *,
    content_type: str,
    max_age: int,
    last_modified: datetime.datetime | None = None,
) -> HttpResponse:
    """`body` with its validators; a 304 without body when If-None-Match (or, without it,
    If-Modified-Since) says the client already has it. Both carry the caching headers."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    stamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=max_age)
    return response
