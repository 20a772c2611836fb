"""REST API for alert subscriptions (Django REST framework; OpenAPI by drf-spectacular).

Anyone (the municipality's app, a web page) may start a subscription and confirm it with the
code read by the verification call, under the same rules and limits as the web form. Operators
of civil protection (permission alerts.view_subscription / delete_subscription) list, read and
delete subscriptions; every deletion is audited.
"""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sportello.alerts import services
from sportello.alerts.forms import CodeForm, SubscriptionForm
from sportello.alerts.models import Subscription, SubscriptionStatus, VerificationCode
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


class SubscribeRequest(serializers.Serializer):
    """The web form's fields; validated by the same form, so the rules are the same."""

    first_name = serializers.CharField()
    last_name = serializers.CharField()
    mobile = serializers.CharField(help_text="Mobile number; Italian numbers only.")
    email = serializers.EmailField()
    address = serializers.CharField(help_text="Street and civic number, e.g. «Via Grande 10».")
    civic_number_id = serializers.IntegerField(required=False)
    address_detail = serializers.CharField(required=False, allow_blank=True)
    landline = serializers.CharField(required=False, allow_blank=True)
    fax = serializers.CharField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=["it", "en"], default="it")
    deaf = serializers.BooleanField(default=False)
    sms_instead_of_voice_requested = serializers.BooleanField(default=False)
    privacy = serializers.BooleanField(help_text="The privacy notice was read and accepted.")


def _form_data(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, bool):
            if value:
                query[key] = "on"
        elif value is not None:
            query[key] = str(value)
    return query


class SubscribeView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=SubscribeRequest,
        responses={
            202: inline_serializer(
                "SubscribeAccepted",
                {"verification": serializers.IntegerField(), "detail": serializers.CharField()},
            )
        },
        summary="Start a subscription: the mobile is called and hears a 6-digit code",
    )
    def post(self, request: Request) -> Response:
        shape = SubscribeRequest(data=request.data)
        if not shape.is_valid():
            return Response(shape.errors, status=status.HTTP_400_BAD_REQUEST)
        form = SubscriptionForm(_form_data(shape.validated_data))
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        data = form.subscription_data()
        try:
            _subscription, verification = services.subscription_start(
                data=data, ip_address=client_ip(request._request)
            )
        except ApplicationError as error:
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        return Response(
            {
                "verification": verification.pk,
                "detail": "Ti stiamo chiamando: scrivi il codice che senti.",
            },
            status=status.HTTP_202_ACCEPTED,
        )


class VerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=inline_serializer("VerifyRequest", {"code": serializers.CharField()}),
        responses={200: SubscriptionSerializer},
        summary="Confirm a subscription with the code read by the call",
    )
    def post(self, request: Request, verification_id: int) -> Response:
        verification = get_object_or_404(
            VerificationCode.objects.select_related("subscription"),
            pk=verification_id,
            subscription__status=SubscriptionStatus.PENDING,
        )
        form = CodeForm(_form_data(request.data))
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        try:
            subscription = services.subscription_verify(
                verification=verification, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            return Response({"detail": error.message}, status=status.HTTP_400_BAD_REQUEST)
        return Response(SubscriptionSerializer(subscription).data)


class OperatorPermissions(DjangoModelPermissions):
    """Reading needs view_subscription too (DRF's default lets any user read)."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


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

    @extend_schema(responses={200: SubscriptionSerializer})
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

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(Subscription, pk=pk)
        services.subscription_delete(subscription=subscription, channel="api")
        return Response(status=status.HTTP_204_NO_CONTENT)
