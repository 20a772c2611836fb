"""Back-office views of accounts: users, issuances, revocations, requests, open sessions."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from sportello.accounts.models import (
    CredentialIssue,
    CredentialRequest,
    Revocation,
    User,
    UserSession,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Cittadino certificato"),
            {"fields": ("person", "phone", "password_is_temporary", "password_expires_at")},
        ),
        (_("Revoca"), {"fields": ("revoked_at",)}),
    )
    readonly_fields = ("password_is_temporary", "password_expires_at", "revoked_at")
    raw_id_fields = ("person",)
    list_display = ("username", "first_name", "last_name", "is_staff", "is_active", "revoked_at")
    list_filter = (*DjangoUserAdmin.list_filter, "password_is_temporary")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by services only: the back-office reads them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CredentialIssue)
class CredentialIssueAdmin(ReadOnlyAdmin):
    list_display = ("issued_at", "person", "channel", "document_type", "issued_by", "office")
    list_filter = ("channel", "document_type", "office")
    search_fields = ("person__codice_fiscale", "person__last_name", "user__username")


@admin.register(Revocation)
class RevocationAdmin(ReadOnlyAdmin):
    list_display = ("revoked_at", "user", "channel", "recorded_by")
    list_filter = ("channel",)
    search_fields = ("user__username",)


@admin.register(CredentialRequest)
class CredentialRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "channel",
        "kind",
        "status",
        "codice_fiscale",
        "certified_sender",
    )
    list_filter = ("channel", "kind", "status")
    search_fields = ("codice_fiscale", "certified_sender", "email")


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = ("user", "method", "created_at", "last_seen_at", "ip_address")
    list_filter = ("method",)
    search_fields = ("user__username",)
