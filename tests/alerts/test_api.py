"""The REST API: subscribe and confirm as the web form does; operators list, read, delete;
the OpenAPI schema documents it."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import Subscription, SubscriptionStatus
from sportello.channels.models import Delivery
from sportello.core.models import AuditEvent
from tests.alerts.helpers import MOBILE, answer_call, spoken_code


def payload(town, **overrides) -> dict:
    data = {
        "first_name": "Maria",
        "last_name": "Bianchi",
        "mobile": "333 123 4567",
        "email": "maria@example.it",
        "address": f"{town.street.name} {town.number}",
        "privacy": True,
    }
    data.update(overrides)
    return data


def test_subscribe_and_verify_through_the_api(town, django_capture_on_commit_callbacks) -> None:
    api = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/allerta/iscrizioni/nuova/", payload(town), content_type="application/json"
        )
    assert response.status_code == 202, response.content
    verification = response.json()["verification"]
    code = spoken_code(answer_call(Client(), Delivery.objects.get(to=MOBILE)))

    wrong = api.post(
        f"/api/v1/allerta/verifiche/{verification}/", {"code": "000000"}, "application/json"
    )
    right = api.post(
        f"/api/v1/allerta/verifiche/{verification}/", {"code": code}, "application/json"
    )

    assert wrong.status_code == 400 and "Tentativi rimasti" in wrong.json()["detail"]
    assert right.status_code == 200
    assert right.json()["status"] == SubscriptionStatus.ACTIVE
    assert right.json()["mobile"] == MOBILE


def test_bad_input_gets_field_errors_in_italian_and_stores_nothing(town) -> None:
    response = Client().post(
        "/api/v1/allerta/iscrizioni/nuova/",
        payload(town, mobile="0586 820000", privacy=False),
        content_type="application/json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert "cellulare" in errors["mobile"][0]["message"]
    assert errors["privacy"][0]["code"] == "required"
    assert not Subscription.objects.exists()


def test_operators_list_read_and_delete_and_others_cannot(subscribed) -> None:
    anonymous = Client().get("/api/v1/allerta/iscrizioni/")
    citizen = Client()
    citizen.force_login(User.objects.create_user("nessuno"))
    operator_user = User.objects.create_user("pc", is_staff=True)
    operator_user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    operator = Client()
    operator.force_login(operator_user)

    listing = operator.get("/api/v1/allerta/iscrizioni/").json()
    [item] = listing["results"]
    detail = operator.get(f"/api/v1/allerta/iscrizioni/{item['id']}/")
    deleted = operator.delete(f"/api/v1/allerta/iscrizioni/{item['id']}/")

    assert anonymous.status_code == 403
    assert citizen.get("/api/v1/allerta/iscrizioni/").status_code == 403
    assert item["mobile"] == MOBILE and detail.json()["email"] == "maria@example.it"
    assert deleted.status_code == 204
    assert not Subscription.objects.exists()
    assert AuditEvent.objects.filter(
        action="alert_subscription_viewed", actor=operator_user
    ).exists()


def test_the_openapi_schema_and_docs(db) -> None:
    schema = Client().get("/api/schema/?format=json")
    docs = Client().get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/allerta/iscrizioni/nuova/" in paths
    assert "/api/v1/allerta/verifiche/{handle}/" in paths
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn." not in docs.content  # served from our own static files


def test_a_stranger_cannot_burn_someone_elses_code(
    town, django_capture_on_commit_callbacks
) -> None:
    owner = Client()
    with django_capture_on_commit_callbacks(execute=True):
        started = owner.post(
            "/api/v1/allerta/iscrizioni/nuova/", payload(town), content_type="application/json"
        ).json()
    handle = started["verification"]
    from sportello.alerts.models import VerificationCode

    pending = VerificationCode.objects.get()
    stranger = Client()
    guesses = [
        stranger.post(f"/api/v1/allerta/verifiche/{guess}/", {"code": "000000"}, "application/json")
        for guess in (pending.pk, pending.pk + 1, "1", handle[:-1] + "x", "")
    ]

    assert len(handle) >= 40 and not handle.isdigit()
    assert all(answer.status_code == 404 for answer in guesses)
    pending.refresh_from_db()
    assert pending.attempts == 0
    code = spoken_code(answer_call(Client(), Delivery.objects.get(to=MOBILE)))
    right = owner.post(f"/api/v1/allerta/verifiche/{handle}/", {"code": code}, "application/json")
    assert right.status_code == 200


def test_a_subscribed_number_gets_the_same_answer_and_its_owner_a_call(
    subscribed, town, django_capture_on_commit_callbacks
) -> None:
    before = Delivery.objects.filter(to=MOBILE).count()
    with django_capture_on_commit_callbacks(execute=True):
        bound = Client().post(
            "/api/v1/allerta/iscrizioni/nuova/", payload(town), content_type="application/json"
        )
        free = Client().post(
            "/api/v1/allerta/iscrizioni/nuova/",
            payload(town, mobile="333 765 4321", email="altro@example.it"),
            content_type="application/json",
        )

    assert bound.status_code == free.status_code == 202
    assert bound.json()["detail"] == free.json()["detail"]
    assert "iscritto" not in bound.content.decode()
    notice = Delivery.objects.filter(to=MOBILE).order_by("-pk").first()
    assert Delivery.objects.filter(to=MOBILE).count() == before + 1
    heard = answer_call(Client(), notice)
    assert "già iscritto" in heard and "Gestisci la tua iscrizione" in heard
    assert "Il tuo codice" not in heard
    # Guessing a code for it leads nowhere: answered as any wrong code.
    wrong = Client().post(
        f"/api/v1/allerta/verifiche/{bound.json()['verification']}/",
        {"code": "123456"},
        "application/json",
    )
    assert wrong.status_code == 400 and "Tentativi rimasti: 4" in wrong.json()["detail"]
    assert Subscription.objects.filter(mobile=MOBILE).count() == 1


def test_a_post_from_another_sites_page_is_refused(town) -> None:
    from django.conf import settings as django_settings

    cross_site = Client().post(
        "/api/v1/allerta/iscrizioni/nuova/",
        payload(town),
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
    )
    fetch_metadata = Client().post(
        "/api/v1/allerta/iscrizioni/nuova/",
        payload(town),
        content_type="text/plain",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    own_page = Client().post(
        "/api/v1/allerta/iscrizioni/nuova/",
        payload(town),
        content_type="application/json",
        HTTP_ORIGIN="http://testserver",
    )

    assert cross_site.status_code == fetch_metadata.status_code == 403
    assert "altro sito" in cross_site.json()["detail"]
    assert own_page.status_code == 202
    assert Subscription.objects.count() == 1
    assert "testserver" not in django_settings.CSRF_TRUSTED_ORIGINS
