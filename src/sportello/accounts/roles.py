"""Operator roles, kept as Django groups: the groups are created by a migration and their
permissions are (re)granted after every migrate, because permissions of new models only exist
once their migrations have run."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTER_OPERATOR = "Operatore di sportello", _("Operatore di sportello (URP, centri servizi)")
    REGISTRY_CLERK = "Ufficiale d'anagrafe", _("Ufficiale d'anagrafe")
    CIVIL_PROTECTION = "Operatore protezione civile", _("Operatore della protezione civile")
    SCHOOL_OFFICE = "Ufficio scuola", _("Ufficio scuola (mensa scolastica)")
    MOBILITY_OFFICE = "Ufficio mobilità", _("Ufficio mobilità (ZTL/ZSC)")
    ACCOUNTING = "Ragioneria", _("Ragioneria (pagamenti pagoPA)")
    ADMINISTRATOR = "Amministratore", _("Amministratore")


# "app_label.codename" or "app_label.*" (every permission of the app).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNTER_OPERATOR: [
        "accounts.add_credentialissue",
        "accounts.view_credentialissue",
        "accounts.view_credentialrequest",
        "accounts.change_credentialrequest",
        "accounts.add_revocation",
        "accounts.view_revocation",
        "registry.view_person",
        "registry.view_family",
        "places.view_street",
        "places.view_civicnumber",
    ],
    Role.REGISTRY_CLERK: [
        "registry.*",
        "documents.*",
        "places.view_street",
        "places.view_civicnumber",
        "certificates.view_certificate",
        "certificates.record_stamp_duty_payment",
        "certificates.revoke_certificate",
    ],
    Role.CIVIL_PROTECTION: [
        "places.view_street",
        "places.view_civicnumber",
        "alerts.*",
        "channels.view_delivery",
    ],
    Role.SCHOOL_OFFICE: ["registry.view_person", "registry.view_family", "canteen.*"],
    Role.MOBILITY_OFFICE: ["registry.view_person", "permits.*"],
    Role.ACCOUNTING: ["payments.*"],
    Role.ADMINISTRATOR: [
        "core.*",
        "places.*",
        "registry.*",
        "documents.*",
        "accounts.*",
        "alerts.*",
        "channels.*",
        "certificates.*",
        "payments.*",
        "canteen.*",
        "permits.*",
        "auth.view_group",
        "otp_totp.*",
        "axes.*",
    ],
}


def roles_grant_permissions(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Give each role group its permissions (idempotent; never removes extra grants)."""
    from django.contrib.auth.models import Group, Permission

    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        for pattern in patterns:
            app_label, codename = pattern.split(".", 1)
            permissions = Permission.objects.using(using).filter(content_type__app_label=app_label)
            if codename != "*":
                permissions = permissions.filter(codename=codename)
            group.permissions.add(*permissions)
