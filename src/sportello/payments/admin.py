"""Back-office views of payments, read-only: positions change only through the services (the
operators' screens under /operatori/pagamenti/)."""

from __future__ import annotations

from django.contrib import admin

from sportello.payments.models import Cart, PaymentOption, PaymentPosition, Receipt


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OptionInline(admin.TabularInline):
    model = PaymentOption
    fields = ("instalment", "notice_number", "iuv", "amount", "due_date", "status", "paid_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentPosition)
class PaymentPositionAdmin(ReadOnlyAdmin):
    list_display = ("title", "debtor_name", "service", "status", "created_at")
    list_filter = ("service", "status")
    search_fields = ("iupd", "debtor_fiscal_code", "debtor_name", "options__notice_number")
    inlines = [OptionInline]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("receipt_id", "notice_number", "amount", "anomaly", "received_at")
    list_filter = ("anomaly", "source")
    search_fields = ("receipt_id", "notice_number", "iuv")


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    list_display = ("uuid", "user", "status", "created_at")
    list_filter = ("status",)
