"""Back-office for civil-protection operators: subscriptions and SMS-preference requests."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from sportello.alerts.models import Contact, Subscription
from sportello.alerts.services.subscriptions import sms_preference_decide


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "last_name",
        "first_name",
        "mobile",
        "status",
        "deaf",
        "sms_request",
        "created_at",
    )
    list_filter = ("status", "source", "deaf", "sms_instead_of_voice_requested", "language")
    search_fields = ("last_name", "first_name", "mobile", "email")
    raw_id_fields = ("civic_number",)
    readonly_fields = ("privacy_accepted_at", "created_at", "verified_at", "sms_instead_of_voice")
    actions = ["grant_sms", "refuse_sms"]

    @admin.display(boolean=True, description=_("chiede SMS"))
    def sms_request(self, obj: Subscription) -> bool:
        return obj.sms_instead_of_voice_requested

    @admin.action(description=_("Concedi gli SMS invece delle chiamate (avvisa per e-mail)"))
    def grant_sms(self, request, queryset) -> None:
        for subscription in queryset:
            sms_preference_decide(subscription=subscription, granted=True, operator=request.user)
        self.message_user(request, _("Richieste accolte; gli iscritti sono avvisati per e-mail."))

    @admin.action(description=_("Rifiuta gli SMS invece delle chiamate (avvisa per e-mail)"))
    def refuse_sms(self, request, queryset) -> None:
        for subscription in queryset:
            sms_preference_decide(subscription=subscription, granted=False, operator=request.user)
        self.message_user(
            request,
            _("Richieste respinte; gli iscritti sono avvisati per e-mail."),
            messages.WARNING,
        )


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "number",
        "address_text",
        "civic_number",
        "imported_at",
        "removal_requested_at",
    )
    list_filter = (
        "source",
        ("civic_number", admin.EmptyFieldListFilter),
        ("removal_requested_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "number", "address_text")
    raw_id_fields = ("civic_number",)
