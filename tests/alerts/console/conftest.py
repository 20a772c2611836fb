"""Shared people of the console tests: an operator of the civil-protection office and an
observer who may only look."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from sportello.accounts.models import User
from sportello.accounts.roles import Role


@pytest.fixture
def operator(town) -> User:
    user = User.objects.create_user(
        "protezione", first_name="Paola", last_name="Neri", is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    return user


@pytest.fixture
def viewer(town) -> User:
    user = User.objects.create_user("osservatore", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_alert"))
    return user
