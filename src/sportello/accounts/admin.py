from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from sportello.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Cittadino certificato"), {"fields": ("person",)}),
    )
    raw_id_fields = ("person",)
    list_display = ("username", "first_name", "last_name", "is_staff", "is_active")
