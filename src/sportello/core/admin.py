"""Back-office screens for the municipality configuration and the audit log."""

from django.contrib import admin

from sportello.core.feedback import feedback_counts
from sportello.core.models import (
    AuditEvent,
    Helpline,
    Municipality,
    Office,
    OpeningPeriod,
    ServiceFeedback,
)


class OfficeHoursInline(admin.TabularInline):
    model = OpeningPeriod
    fk_name = "office"
    exclude = ("helpline",)
    extra = 0


class HelplineHoursInline(admin.TabularInline):
    model = OpeningPeriod
    fk_name = "helpline"
    exclude = ("office",)
    extra = 0


class OfficeInline(admin.StackedInline):
    model = Office
    extra = 0
    show_change_link = True


class HelplineInline(admin.TabularInline):
    model = Helpline
    extra = 0
    show_change_link = True


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    inlines = [OfficeInline, HelplineInline]
    list_display = ("name", "istat_code", "pec_address")

    def has_add_permission(self, request):  # one comune per installation
        return super().has_add_permission(request) and not Municipality.objects.exists()


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    inlines = [OfficeHoursInline]
    list_display = ("name", "kind", "address", "phone")
    list_filter = ("kind",)


@admin.register(Helpline)
class HelplineAdmin(admin.ModelAdmin):
    inlines = [HelplineHoursInline]
    list_display = ("name", "phone", "toll_free")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "ip_address")
    list_filter = ("action", "channel")
    search_fields = ("actor_label", "target_id", "action")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceFeedback)
class ServiceFeedbackAdmin(admin.ModelAdmin):
    """The ratings citizens gave, to count by service and stars (read-only)."""

    list_display = ("service", "rating", "aspect", "comment", "created_at")
    list_filter = ("service", "rating", "aspect")
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        """Above the list, the counts by service and stars (with the list's filters)."""
        response = super().changelist_view(request, extra_context=extra_context)
        try:
            queryset = response.context_data["cl"].queryset
        except (AttributeError, KeyError):  # a redirect or an error page
            return response
        response.context_data["feedback_counts"] = feedback_counts(queryset)
        return response
