"""Operator roles: each role is a group with just the permissions its work needs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sportello.accounts.models import User
from sportello.accounts.roles import Role

pytestmark = pytest.mark.django_db


def operator(username: str, role: Role) -> User:
    user = User.objects.create_user(username, password="a-long-operator-password", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_every_role_exists_after_migrate() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


def test_registry_clerk_can_edit_persons_counter_operator_only_read(client) -> None:
    clerk = operator("anagrafe", Role.REGISTRY_CLERK)
    counter = operator("urp", Role.COUNTER_OPERATOR)
    assert clerk.has_perm("registry.change_person")
    assert counter.has_perm("registry.view_person")
    assert not counter.has_perm("registry.change_person")

    client.force_login(counter)
    assert client.get("/backoffice/registry/person/").status_code == 200
    assert client.get("/backoffice/registry/person/add/").status_code == 403


def test_civil_protection_operator_cannot_see_the_registry(client) -> None:
    client.force_login(operator("pc", Role.CIVIL_PROTECTION))
    assert client.get("/backoffice/registry/person/").status_code == 403


def test_only_the_administrator_configures_the_municipality(client) -> None:
    client.force_login(operator("admin2", Role.ADMINISTRATOR))
    assert client.get("/backoffice/core/municipality/").status_code == 200
    client.force_login(operator("anagrafe", Role.REGISTRY_CLERK))
    assert client.get("/backoffice/core/municipality/").status_code == 403


def test_regranting_after_migrate_keeps_extra_grants() -> None:
    from django.contrib.auth.models import Permission

    from sportello.accounts.roles import roles_grant_permissions

    group = Group.objects.get(name=Role.CIVIL_PROTECTION)
    extra = Permission.objects.get(codename="view_auditevent")
    group.permissions.add(extra)
    roles_grant_permissions()
    assert group.permissions.filter(pk=extra.pk).exists()
    assert group.permissions.filter(codename="view_civicnumber").exists()
