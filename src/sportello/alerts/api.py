"""REST API for alert subscriptions (Django REST framework; OpenAPI by drf-spectacular).

Anyone (the municipality's app, a page of this site) may start a subscription and confirm it with
the code read by the verification call, under the same rules and limits as the web form; the
handle of a verification is random and given only to the client that started it. Operators
of civil protection (permission alerts.view_subscription / delete_subscription) list, read and
delete subscriptions; every deletion is audited.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sportello.alerts import services
from sportello.alerts.forms import CodeForm, SubscriptionForm
from sportello.alerts.models import Subscription
from sportello.core.api import NoCrossSiteRequests
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record, client_ip


class SubscriptionSerializer(serializers.ModelSerializer):
    address = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = [
            "id",
            "status",
            "source",
            "first_name",
            "last_name",
            "mobile",
            "email",
            "landline",
            "fax",
            "civic_number",
            "address",
            "address_detail",
            "language",
            "deaf",
            "sms_instead_of_voice_requested",
            "sms_instead_of_voice",
            "created_at",
            "verified_at",
        ]

    def get_address(self, obj: Subscription) -> str:
        civic = obj.civic_number
        return f"{civic.street.full_name} {civic.label}"


# The form's first rule for a number, where a schema can say it (whether the number exists and is
# a mobile is the form's to say: a 400 with the reason).
WRITTEN_NUMBER = RegexValidator(
    r"^(\+?[0-9 ().\-/]{1,30})?$", _lazy("Scrivi il numero solo con cifre, senza lettere.")
)


class SubscribeRequest(serializers.Serializer):
    """The web form's fields; validated by the same form, so the rules are the same."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    mobile = serializers.CharField(
        max_length=30,
        validators=[WRITTEN_NUMBER],
        help_text="Italian mobile number (e.g. «333 123 4567» or «+39 333 1234567»); digits "
        "only, no letters.",
    )
    email = serializers.EmailField()
    address = serializers.CharField(
        max_length=200, help_text="Street and civic number, e.g. «Via Grande 10»."
    )
    civic_number_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="One of the civic numbers offered in a 400 answer for `address`.",
    )
    address_detail = serializers.CharField(max_length=60, required=False, allow_blank=True)
    landline = serializers.CharField(
        max_length=30,
        validators=[WRITTEN_NUMBER],
        required=False,
        allow_blank=True,
        help_text="Italian landline, only if not in the public directory.",
    )
    fax = serializers.CharField(
        max_length=30,
        validators=[WRITTEN_NUMBER],
        required=False,
        allow_blank=True,
        help_text="Italian fax number (a landline): premium-rate and shared-cost numbers are "
        "refused.",
    )
    language = serializers.ChoiceField(choices=["it", "en"], default="it")
    deaf = serializers.BooleanField(default=False)
    sms_instead_of_voice_requested = serializers.BooleanField(
        default=False, help_text="Only with `deaf`: SMS instead of voice calls, if granted."
    )
    privacy = serializers.BooleanField(
        help_text="The privacy notice was read and accepted: must be true."
    )


class Detail(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in Italian.")


FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
                "required": ["message", "code"],
            },
        },
    },
    description="Bad input: for each field (or `__all__`), its errors in Italian; nothing was "
    "stored.",
)
NOT_ALLOWED = OpenApiResponse(
    response=Detail,
    description="Not logged in, or without the civil-protection permission for this.",
)
NOT_FOUND = OpenApiResponse(response=Detail, description="No such subscription (or page).")
CROSS_SITE = OpenApiResponse(
    response=Detail, description="Sent by a browser from another site's page: refused."
)
TOO_MANY = OpenApiResponse(
    response=Detail,
    description="Too many verification calls for this number (3 an hour) or from this "
    "connection (10 a day): nothing was done.",
)


def _form_data(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, bool):
            if value:
                query[key] = "on"
        elif value is not None:
            query[key] = str(value)
    return query


def _field_errors(errors: dict) -> dict[str, list[dict[str, str]]]:
    """A serializer's errors in the form's shape: one shape for every 400."""
    return {
        name: [{"message": str(item), "code": getattr(item, "code", "invalid")} for item in items]
        for name, items in errors.items()
    }


class SubscribeView(APIView):
    permission_classes = [NoCrossSiteRequests]
    authentication_classes: list = []

    @extend_schema(
        request=SubscribeRequest,
        responses={
            202: inline_serializer(
                "SubscribeAccepted",
                {
                    "verification": serializers.CharField(
                        help_text="The handle of this verification: keep it and send the code "
                        "to /api/v1/allerta/verifiche/{handle}/. Given only to this client."
                    ),
                    "detail": serializers.CharField(),
                },
            ),
            400: FIELD_ERRORS,
            403: CROSS_SITE,
            409: OpenApiResponse(response=Detail, description="The number cannot be called."),
            429: TOO_MANY,
        },
        summary="Start a subscription: the mobile is called and hears a 6-digit code",
        description="The same answer for any valid number: when the number is already "
        "subscribed, the call tells its owner so instead of reading a code.",
    )
    def post(self, request: Request) -> Response:
        shape = SubscribeRequest(data=request.data)
        if not shape.is_valid():
            return Response(_field_errors(shape.errors), status=status.HTTP_400_BAD_REQUEST)
        form = SubscriptionForm(_form_data(shape.validated_data))
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        data = form.subscription_data()
        try:
            _subscription, verification = services.subscription_start(
                data=data, ip_address=client_ip(request._request)
            )
        except ApplicationError as error:
            code = 429 if error.extra.get("limit") else status.HTTP_409_CONFLICT
            return Response({"detail": error.message}, status=code)
        return Response(
            {
                "verification": services.verification_handle_issue(verification=verification),
                "detail": _("Ti abbiamo mandato un SMS: scrivi il codice che contiene.")
                if data.deaf and data.sms_instead_of_voice_requested
                else _("Ti stiamo chiamando: scrivi il codice che senti."),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class VerifyRequest(serializers.Serializer):
    code = serializers.CharField(help_text="The 6 digits read by the call.")


class VerifyView(APIView):
    permission_classes = [NoCrossSiteRequests]
    authentication_classes: list = []

    @extend_schema(
        request=VerifyRequest,
        responses={
            200: SubscriptionSerializer,
            400: FIELD_ERRORS,
            403: CROSS_SITE,
            404: OpenApiResponse(
                response=Detail, description="No verification waiting with this handle."
            ),
            409: OpenApiResponse(
                response=Detail,
                description="This code can no longer be used (expired, used, or 5 wrong "
                "attempts): start again for a new call.",
            ),
        },
        summary="Confirm a subscription with the code read by the call",
    )
    def post(self, request: Request, handle: str) -> Response:
        verification = services.verification_by_handle(handle=handle)
        if verification is None:
            raise NotFound(_("Nessuna verifica in attesa con questo identificativo."))
        shape = VerifyRequest(data=request.data)
        if not shape.is_valid():
            return Response(_field_errors(shape.errors), status=status.HTTP_400_BAD_REQUEST)
        form = CodeForm(_form_data(shape.validated_data))
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        try:
            subscription = services.subscription_verify(
                verification=verification, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            code = status.HTTP_409_CONFLICT if error.extra.get("spent") else 400
            payload = {"detail": error.message} if code == 409 else _code_error(error.message)
            return Response(payload, status=code)
        return Response(SubscriptionSerializer(subscription).data)


def _code_error(message: str) -> dict:
    return {"code": [{"message": message, "code": "wrong"}], "detail": message}


class OperatorPermissions(DjangoModelPermissions):
    """Reading needs view_subscription too (DRF's default lets any user read)."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


@extend_schema(responses={200: SubscriptionSerializer(many=True), 403: NOT_ALLOWED, 404: NOT_FOUND})
class SubscriptionList(ListAPIView):
    permission_classes = [OperatorPermissions]
    serializer_class = SubscriptionSerializer
    queryset = Subscription.objects.select_related("civic_number__street").order_by("-created_at")

    def list(self, request: Request, *args, **kwargs) -> Response:
        audit_record(action="alert_subscriptions_listed", request=request._request, channel="api")
        return super().list(request, *args, **kwargs)


class SubscriptionDetail(APIView):
    permission_classes = [OperatorPermissions]
    queryset = Subscription.objects.all()

    @extend_schema(responses={200: SubscriptionSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(
            Subscription.objects.select_related("civic_number__street"), pk=pk
        )
        audit_record(
            action="alert_subscription_viewed",
            target=subscription,
            request=request._request,
            channel="api",
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(responses={204: None, 403: NOT_ALLOWED, 404: NOT_FOUND})
    def delete(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(Subscription, pk=pk)
        services.subscription_delete(subscription=subscription, channel="api")
        return Response(status=status.HTTP_204_NO_CONTENT)
