"""The cameras' plate list: the plates allowed now (or at a given moment) per zone, as CSV or
JSON, for gate systems holding a token; and a plate's history, to answer an appeal against a
fine. Outside the language prefixes, under /api/v1/permessi/."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from sportello.core.access import public
from sportello.permits.models import CameraToken
from sportello.permits.plates import plate_compact
from sportello.permits.selectors import (
    camera_token_zones,
    plate_history,
    plate_list_rows,
    plate_list_version,
)


def camera_token_find(header: str) -> CameraToken | None:
    scheme, _space, token = (header or "").partition(" ")
    if scheme.lower() not in ("bearer", "token") or not token.strip():
        return None
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    found = CameraToken.objects.filter(token_sha256=digest, revoked_at__isnull=True).first()
    if found is not None:
        CameraToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"error": "token mancante, errato o revocato"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="sportello-permessi"'
    return response


def _moment(request: HttpRequest):
    text = request.GET.get("al")
    if not text:
        return timezone.now(), None
    moment = parse_datetime(text)
    if moment is None:
        return None, JsonResponse({"error": "«al» non è una data e ora ISO 8601"}, status=400)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment, None


def plate_list_csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["zona", "targa", "dal", "al"])
    for zone, plate, starts_at, ends_at in rows:
        writer.writerow([zone, plate, starts_at.isoformat(), ends_at.isoformat()])
    return out.getvalue().encode("utf-8")


@public  # a gate system, not a person: its token is checked below
@csrf_exempt
@require_GET
def plate_list(request: HttpRequest) -> HttpResponse:
    token = camera_token_find(request.headers.get("Authorization", ""))
    if token is None:
        return _unauthorized()
    zones = camera_token_zones(token)
    if request.GET.get("zona"):
        zones = [zone for zone in zones if zone.code == request.GET["zona"]]
        if not zones:
            return JsonResponse({"error": "zona sconosciuta o non concessa"}, status=404)
    moment, problem = _moment(request)
    if problem:
        return problem
    etag = (
        '"'
        + plate_list_version(zones=zones)
        + (moment.isoformat() if "al" in request.GET else "")
        + '"'
    )
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    rows = plate_list_rows(zones=zones, at=moment)
    if request.GET.get("formato") == "json":
        body = json.dumps(
            {
                "al": moment.isoformat(),
                "zone": {
                    zone.code: {"nome": zone.name, "tipo": zone.kind, "fasce": zone.windows}
                    for zone in zones
                },
                "targhe": [
                    {"zona": z, "targa": p, "dal": s.isoformat(), "al": e.isoformat()}
                    for z, p, s, e in rows
                ],
            }
        )
        response = HttpResponse(body, content_type="application/json")
    else:
        response = HttpResponse(plate_list_csv_bytes(rows), content_type="text/csv; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@public  # a gate system or the fines office's software: its token is checked below
@csrf_exempt
@require_GET
def plate_history_view(request: HttpRequest, plate: str) -> HttpResponse:
    token = camera_token_find(request.headers.get("Authorization", ""))
    if token is None:
        return _unauthorized()
    zones = {zone.pk for zone in camera_token_zones(token)}
    rows = [
        {
            "zona": row.zone.code,
            "targa": row.plate,
            "dal": row.starts_at.isoformat(),
            "al": row.ends_at.isoformat(),
            "permesso": row.permit.display_code,
            "nota": row.note,
        }
        for row in plate_history(plate=plate_compact(plate))
        if row.zone_id in zones and row.ends_at > row.starts_at
    ]
    return JsonResponse({"targa": plate_compact(plate), "periodi": rows})
