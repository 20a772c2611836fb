"""Back-office for certificates: read-only records, plus two actions for the registry office —
record the stamp duty paid (the certificate is then issued) and revoke with a reason.

Until the payments issue exists, the duty is paid at the counter or by pagoPA outside Sportello
and an operator records it here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sportello.certificates.models import Certificate, CertificateStatus
from sportello.certificates.services import certificate_revoke, certificate_stamp_duty_paid
from sportello.core.exceptions import ApplicationError


class RevocationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motivo della revoca"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Resta nel registro; il cittadino lo vede nei suoi certificati."),
    )


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = (
        "display_code",
        "kind",
        "subject",
        "status",
        "stamp_duty",
        "requested_at",
        "issued_at",
        "valid_until",
    )
    list_filter = ("status", "kind")
    search_fields = ("code", "subject__codice_fiscale", "subject__last_name")
    date_hierarchy = "requested_at"
    actions = ["record_stamp_duty_paid", "revoke"]
    readonly_fields = [field.name for field in Certificate._meta.fields]
    list_select_related = ("subject",)

    @admin.display(description=gettext_lazy("codice"), ordering="code")
    def display_code(self, certificate: Certificate) -> str:
        return certificate.display_code

    # Written by services only.
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_record_payment_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("certificates.record_stamp_duty_payment")

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("certificates.revoke_certificate")

    @admin.action(
        description=gettext_lazy("Registra il pagamento del bollo e rilascia"),
        permissions=["record_payment"],
    )
    def record_stamp_duty_paid(self, request: HttpRequest, queryset: QuerySet) -> None:
        issued = 0
        for certificate in queryset.filter(status=CertificateStatus.AWAITING_PAYMENT):
            try:
                certificate_stamp_duty_paid(certificate=certificate, operator=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                issued += 1
        skipped = queryset.exclude(status=CertificateStatus.AWAITING_PAYMENT).count()
        if issued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d certificato rilasciato.",
                    "%(count)d certificati rilasciati.",
                    issued,
                )
                % {"count": issued},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d certificato selezionato non era in attesa di pagamento.",
                    "%(count)d certificati selezionati non erano in attesa di pagamento.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=gettext_lazy("Revoca i certificati selezionati"), permissions=["revoke"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """An intermediate page asks the reason (no pop-up); then each one is revoked."""
        selected = queryset.exclude(status=CertificateStatus.REVOKED)
        form = RevocationForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            revoked = 0
            for certificate in selected:
                try:
                    certificate_revoke(
                        certificate=certificate,
                        operator=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except ApplicationError as error:
                    self.message_user(request, error.message, messages.ERROR)
                else:
                    revoked += 1
            self.message_user(
                request,
                ngettext(
                    "%(count)d certificato revocato.", "%(count)d certificati revocati.", revoked
                )
                % {"count": revoked},
                messages.SUCCESS,
            )
            return None
        if not selected.exists():
            self.message_user(request, _("I certificati selezionati sono già revocati."))
            return None
        return TemplateResponse(
            request,
            "admin/certificates/certificate/revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Revoca dei certificati"),
                "opts": self.model._meta,
                "certificates": selected,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
