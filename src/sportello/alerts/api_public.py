"""The public, read-only API of the alerts, for the municipality's app and anyone else: the
active alerts as JSON and as GeoJSON, and one alert by its identifier. No authentication.

Made to be polled: every answer carries Cache-Control "public, max-age=60", an ETag (a hash of
the body) and Last-Modified; a request with If-None-Match (or If-Modified-Since) gets 304 Not
Modified without a body while nothing changed. The content does not depend on the caller's
language or cookies: both languages are in every alert, links are the Italian pages'.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import translation
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from sportello.alerts.models import AlertCategory, AlertCertainty, AlertSeverity, AlertUrgency
from sportello.alerts.public.areas import area_geometry
from sportello.alerts.public.http import conditional_response
from sportello.alerts.public.selectors import (
    PublicAlert,
    PublicState,
    alert_public_get,
    alerts_active_cached,
)

MAX_AGE = 60
TAG = "Allerte pubbliche"
NOT_MODIFIED = OpenApiResponse(
    description="Not Modified: the ETag sent in If-None-Match is still the current one."
)


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class FirstRenderer(BaseContentNegotiation):
    """One representation per URL, whatever the Accept header says: the same bytes, the same
    ETag for every client (no Vary: Accept)."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list, format_suffix: Any = None):
        return renderers[0], renderers[0].media_type


class PublicAlertSerializer(serializers.Serializer):
    """An alert as the public sees it: CAP's fields, in Italian and (when written) English."""

    identifier = serializers.UUIDField(help_text="CAP identifier; never changes.")
    url = serializers.SerializerMethodField(help_text="The alert's permanent public page.")
    cap_url = serializers.SerializerMethodField(
        help_text="The CAP 1.2 XML message, when the CAP feed is installed."
    )
    state = serializers.ChoiceField(
        choices=[PublicState.ACTIVE, PublicState.ENDED, PublicState.STOPPED],
        source="current_state",
        help_text="active: in force now; ended: past its end; stopped: interrupted by the "
        "civil-protection office.",
    )
    exercise = serializers.BooleanField(help_text="A drill (CAP status Exercise): no danger.")
    sent = serializers.DateTimeField(source="sent_at")
    onset = serializers.DateTimeField(allow_null=True)
    expires = serializers.DateTimeField(allow_null=True)
    ends = serializers.DateTimeField(
        source="ends_at",
        help_text="When it stops being active: expires, or 24 hours after sent without one.",
    )
    event = serializers.CharField()
    category = serializers.ChoiceField(choices=AlertCategory.values)
    urgency = serializers.ChoiceField(choices=AlertUrgency.values)
    severity = serializers.ChoiceField(choices=AlertSeverity.values)
    certainty = serializers.ChoiceField(choices=AlertCertainty.values)
    headline = serializers.CharField()
    description = serializers.CharField()
    instruction = serializers.CharField(allow_blank=True)
    headline_en = serializers.CharField(allow_blank=True, help_text="Empty when not written.")
    description_en = serializers.CharField(allow_blank=True)
    instruction_en = serializers.CharField(allow_blank=True)
    area_description = serializers.CharField(allow_blank=True)

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, obj: PublicAlert) -> str:
        with translation.override("it"):
            return self._absolute(obj.url)

    def get_cap_url(self, obj: PublicAlert) -> str | None:
        with translation.override("it"):
            path = obj.cap_url
        return self._absolute(path) if path else None


GEOMETRY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "GeoJSON Polygon or MultiPolygon (WGS84) of the alert's area; circles are "
    "polygons, streets their civic numbers widened by 30 m, the whole comune the outline of its "
    "civic numbers. Null when the area holds nothing that can be drawn.",
}


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryField(serializers.JSONField):
    """A GeoJSON geometry (documentation of the GeoJSON answer)."""


class PublicAlertDetailSerializer(PublicAlertSerializer):
    geometry = serializers.SerializerMethodField()

    @extend_schema_field(GEOMETRY_SCHEMA)
    def get_geometry(self, obj: PublicAlert) -> dict[str, Any] | None:
        return area_geometry(obj.area)


class FeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    geometry = GeometryField()
    properties = PublicAlertSerializer()


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = FeatureSerializer(many=True)


def _respond(request: Request, data: Any, *, renderer: JSONRenderer, last_modified) -> Any:
    body = renderer.render(data)
    response: HttpResponse = conditional_response(
        request._request,
        body,
        content_type=renderer.media_type,
        max_age=MAX_AGE,
        last_modified=last_modified,
    )
    # Any web page may show the public alerts; scripts may read the validators to poll.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


class _PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # no session read: nothing varies by cookie
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer


class ActiveAlertsView(_PublicView):
    @extend_schema(
        tags=[TAG],
        operation_id="alerts_active_list",
        summary="Active alerts, most severe first",
        description="Alerts in force now (sent, not stopped, not past their end). Poll with "
        "If-None-Match: the answer is 304 while nothing changed. Cached up to 60 s.",
        responses={200: PublicAlertSerializer(many=True), 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Any:
        active = alerts_active_cached()
        data = PublicAlertSerializer(active.alerts, many=True, context={"request": request}).data
        return _respond(request, data, renderer=JSONRenderer(), last_modified=active.last_change)


class ActiveAlertsGeoJSONView(_PublicView):
    renderer_classes = [GeoJSONRenderer]

    @extend_schema(
        tags=[TAG],
        operation_id="alerts_active_geojson",
        summary="Active alerts as a GeoJSON FeatureCollection",
        description="One Feature per active alert: its area as geometry (WGS84), the same "
        "fields as the JSON list as properties.",
        responses={(200, "application/geo+json"): FeatureCollectionSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Any:
        active = alerts_active_cached()
        features = []
        for alert in active.alerts:
            properties = PublicAlertSerializer(alert, context={"request": request}).data
            features.append(
                {"type": "Feature", "geometry": area_geometry(alert.area), "properties": properties}
            )
        data = {"type": "FeatureCollection", "features": features}
        return _respond(request, data, renderer=GeoJSONRenderer(), last_modified=active.last_change)


class AlertDetailView(_PublicView):
    @extend_schema(
        tags=[TAG],
        operation_id="alerts_public_retrieve",
        summary="One alert that went out, by its identifier, with its area",
        description="Active, ended or stopped; drafts and scheduled alerts do not exist here.",
        responses={200: PublicAlertDetailSerializer, 304: NOT_MODIFIED, 404: None},
    )
    def get(self, request: Request, identifier: uuid.UUID) -> Any:
        alert = alert_public_get(identifier)
        if alert is None:
            raise Http404
        data = PublicAlertDetailSerializer(alert, context={"request": request}).data
        return _respond(request, data, renderer=JSONRenderer(), last_modified=alert.changed_at)
