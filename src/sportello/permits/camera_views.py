"""The cameras' plate list: the plates allowed now (or at a given moment) per zone, as CSV or
JSON, for gate systems holding a token; and a plate's history, to answer an appeal against a
fine. Outside the language prefixes, under /api/v1/permessi/, described in the OpenAPI schema
(/api/schema/) with their token authentication (`Authorization: Bearer <key>`)."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

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


def plate_list_csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["zona", "targa", "dal", "al"])
    for zone, plate, starts_at, ends_at in rows:
        writer.writerow([zone, plate, starts_at.isoformat(), ends_at.isoformat()])
    return out.getvalue().encode("utf-8")


class CameraTokenAuthentication(BaseAuthentication):
    """A gate system's key (`Authorization: Bearer <key>`), checked against the stored SHA-256
    of the keys not revoked. The request's `auth` is then the CameraToken."""

    def authenticate(self, request: Request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        token = camera_token_find(header)
        if token is None:
            raise AuthenticationFailed("Chiave mancante, errata o revocata.")
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="sportello-permessi"'


class CameraTokenScheme(OpenApiAuthenticationExtension):
    target_class = CameraTokenAuthentication
    name = "cameraToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A gate system's key, made by the mobility office "
            "(`sportello permits_camera_token` or «Chiavi delle telecamere» in the office's "
            "pages); it is shown once, only its SHA-256 is kept.",
        }


class HasCameraToken(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return isinstance(request.auth, CameraToken)


class _WhateverIsAccepted(BaseContentNegotiation):
    """The view chooses the body (CSV or JSON, by `formato`), whatever `Accept` says: a gate
    system sending `Accept: text/csv` is not refused with 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _CameraAPI(APIView):
    authentication_classes = [CameraTokenAuthentication]
    permission_classes = [HasCameraToken]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _WhateverIsAccepted
    pagination_class = None


def _problem(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


DETAIL = inline_serializer(
    "PlateListDetail", {"detail": serializers.CharField(help_text="What happened, in Italian.")}
)
UNAUTHORIZED = OpenApiResponse(
    response=DETAIL, description="No key, a wrong key or a revoked one (`WWW-Authenticate`)."
)
PLATE_ROWS = inline_serializer(
    "AllowedPlate",
    many=True,
    fields={
        "zona": serializers.CharField(help_text="The zone's code."),
        "targa": serializers.CharField(help_text="The plate, capital letters, no spaces."),
        "dal": serializers.DateTimeField(help_text="Allowed from (ISO 8601)."),
        "al": serializers.DateTimeField(help_text="Allowed until, excluded (ISO 8601)."),
    },
)
PLATE_LIST_JSON = inline_serializer(
    "PlateList",
    {
        "al": serializers.DateTimeField(help_text="The moment the list is for."),
        "zone": serializers.DictField(
            child=inline_serializer(
                "PlateListZone",
                {
                    "nome": serializers.CharField(),
                    "tipo": serializers.ChoiceField(choices=["ZTL", "ZSC"]),
                    "fasce": serializers.ListField(
                        child=inline_serializer(
                            "CameraWindow",
                            {
                                "days": serializers.ListField(
                                    child=serializers.IntegerField(min_value=1, max_value=7),
                                    help_text="1 = Monday … 7 = Sunday.",
                                ),
                                "start": serializers.CharField(help_text="HH:MM"),
                                "end": serializers.CharField(help_text="HH:MM (24:00 allowed)"),
                            },
                        ),
                        help_text="When the gates' cameras are on; empty: always.",
                    ),
                },
            ),
            help_text="The zones of the list, by code.",
        ),
        "targhe": PLATE_ROWS,
    },
)


class PlateListView(_CameraAPI):
    @extend_schema(
        operation_id="permits_plate_list",
        summary="The plates allowed in the zones, now or at a given moment",
        description="The cameras' list: every plate allowed per zone, with the period. CSV "
        "(`zona;targa;dal;al`, the default) or JSON with the zones' time windows. The `ETag` "
        "changes with every change of the list: poll with `If-None-Match` and get `304` when "
        "nothing changed. A key limited to some zones sees only those.",
        parameters=[
            OpenApiParameter(
                "zona", OpenApiTypes.STR, description="One zone's code, e.g. `ztl-centro`."
            ),
            OpenApiParameter(
                "formato",
                OpenApiTypes.STR,
                enum=["csv", "json"],
                description="`csv` (default) or `json`.",
            ),
            OpenApiParameter(
                "al",
                OpenApiTypes.DATETIME,
                description="A past (or future) moment, ISO 8601: the list as it was then "
                "(to answer an appeal against a fine). Default: now.",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="The `ETag` of the list already held.",
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="`zona;targa;dal;al`, one plate and period a line.",
            ),
            (200, "application/json"): OpenApiResponse(
                response=PLATE_LIST_JSON, description="With `formato=json`."
            ),
            304: OpenApiResponse(description="Nothing changed since the `ETag` given."),
            400: OpenApiResponse(response=DETAIL, description="`al` is not ISO 8601."),
            401: UNAUTHORIZED,
            404: OpenApiResponse(response=DETAIL, description="No such zone, or not for this key."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        zones = camera_token_zones(request.auth)
        if request.GET.get("zona"):
            zones = [zone for zone in zones if zone.code == request.GET["zona"]]
            if not zones:
                return _problem("Zona sconosciuta o non concessa a questa chiave.", 404)
        text = request.GET.get("al")
        moment = timezone.now()
        if text:
            try:
                moment = parse_datetime(text)
            except ValueError:
                moment = None
            if moment is None:
                return _problem("«al» non è una data e ora ISO 8601.", 400)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        etag = '"' + plate_list_version(zones=zones) + (moment.isoformat() if text else "") + '"'
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
            response = HttpResponse(
                plate_list_csv_bytes(rows), content_type="text/csv; charset=utf-8"
            )
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        return response


class PlateHistoryView(_CameraAPI):
    @extend_schema(
        operation_id="permits_plate_history",
        summary="Every period in which a plate was allowed",
        description="To answer an appeal against a fine: the plate's periods in the key's "
        "zones, with the permit's code and what started the period.",
        responses={
            200: inline_serializer(
                "PlateHistory",
                {
                    "targa": serializers.CharField(),
                    "periodi": inline_serializer(
                        "PlatePeriod",
                        many=True,
                        fields={
                            "zona": serializers.CharField(),
                            "targa": serializers.CharField(),
                            "dal": serializers.DateTimeField(),
                            "al": serializers.DateTimeField(),
                            "permesso": serializers.CharField(help_text="The permit's code."),
                            "nota": serializers.CharField(),
                        },
                    ),
                },
            ),
            401: UNAUTHORIZED,
        },
    )
    def get(self, request: Request, plate: str) -> HttpResponse:
        zones = {zone.pk for zone in camera_token_zones(request.auth)}
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
