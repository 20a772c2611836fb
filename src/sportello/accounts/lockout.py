"""The page django-axes shows when a username+address pair is locked out.

It says for how long, and how to get help; it is the same whether the username exists or not.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kw: Any):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response: HttpResponse = render(
        request, "accounts/lockout.html", {"minutes": minutes}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    return response
