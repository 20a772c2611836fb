"""The OpenAPI schema tells the truth: schemathesis generates requests for every operation, valid
and not, and checks each answer against the schema (status codes documented, bodies of the
documented shape and content type, no server error, invalid input refused)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sportello.config.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Requests go straight to the WSGI application, whose end-of-request signal would close
    the test's database connection (inside its transaction, on PostgreSQL): as Django's own
    test client does, keep it open while the test runs."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented(case) -> None:
    # Not checked: that every schema-valid request is accepted. Whether a number exists and is
    # a mobile, or an address is in the stradario, no schema can say; those answers are the
    # documented 400 with the reason.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.fixture
def operator_cookie(db) -> str:
    from django.conf import settings as django_settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from sportello.accounts.models import User
    from sportello.accounts.roles import Role

    user, _created = User.objects.get_or_create(username="pc-schemathesis", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


@schema.include(path_regex=r"^/api/v1/allerta/iscrizioni/(\{\w+\}/)?$").parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_to_an_operator_is_documented(case, operator_cookie) -> None:
    case.call_and_validate(
        headers={"Cookie": operator_cookie}, excluded_checks=[positive_data_acceptance]
    )
