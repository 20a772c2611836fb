"""The citizen's pages (service page, application with summary, confirmation, timeline,
renewal, PDF), the public check, the office's screens and the cameras' API."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from sportello.core.access import access_of
from sportello.permits.models import Permit, PermitStatus
from sportello.permits.services import camera_token_create
from tests.permits.conftest import logged_in, page_text, upload
from tests.permits.test_services import apply, expiring, pay

pytestmark = pytest.mark.django_db


def test_the_service_page_offers_the_login(resident_type):
    response = Client().get(reverse("permits:home"))
    assert response.status_code == 200
    assert "Accedi al servizio" in page_text(response)


def test_every_page_declares_who_may_open_it():
    assert access_of(resolve("/permessi/").func) == "public"
    assert access_of(resolve("/permessi/verifica/").func) == "public"
    for path in ("/permessi/nuovo/", "/permessi/1/", "/permessi/1/riepilogo/", "/permessi/1/pdf/"):
        assert access_of(resolve(path).func) == "certified"
    assert access_of(resolve("/operatori/permessi/").func) == "operator"
    assert access_of(resolve("/api/v1/permessi/targhe/").func) == "public"


def test_apply_summary_confirm_and_see_the_timeline(sara_user, household, resident_type):
    client = logged_in(sara_user)
    page = client.get(reverse("permits:apply"))
    assert "Centro storico" in page_text(page)
    response = client.post(
        reverse("permits:apply"),
        {
            "permit_type": resident_type.pk,
            "plate": "ab 123 cd",
            "ownership": "family",
            "owner": household.paolo.pk,
            "registration_document": upload(),
        },
    )
    permit = Permit.objects.get()
    assert response.status_code == 302 and permit.status == PermitStatus.DRAFT
    summary = page_text(client.get(response["Location"]))
    assert "AB123CD" in summary and "Paolo" in summary and "Conferma" in summary
    confirmed = client.post(reverse("permits:summary", args=[permit.pk]))
    detail = page_text(client.get(confirmed["Location"]))
    assert "Domanda inviata" in detail and "Permesso rilasciato" in detail
    assert 'data-element="feedback"' in detail
    from sportello.channels.models import Delivery

    # Confirmed by e-mail too, once for the application and once for the permit.
    assert sorted(Delivery.objects.values_list("purpose", flat=True)) == [
        "permit_issued",
        "permit_submitted",
    ]
    assert "Valido" in page_text(client.get(reverse("permits:home")))


def test_a_bad_plate_is_told_on_the_form_and_nothing_is_written(sara_user, resident_type):
    client = logged_in(sara_user)
    response = client.post(
        reverse("permits:apply"),
        {
            "permit_type": resident_type.pk,
            "plate": "12",
            "ownership": "family",
            "owner": sara_user.person_id,
            "registration_document": upload(),
        },
    )
    assert response.status_code == 400
    assert "non è una targa italiana" in page_text(response)
    assert not Permit.objects.exists()


def test_the_second_car_shows_60_euro_and_goes_to_pagopa(sara_user, household, resident_type):
    apply(sara_user, resident_type)
    client = logged_in(sara_user)
    client.post(
        reverse("permits:apply"),
        {
            "permit_type": resident_type.pk,
            "plate": "EF456GH",
            "ownership": "family",
            "owner": sara_user.person_id,
            "registration_document": upload(),
        },
    )
    draft = Permit.objects.get(status=PermitStatus.DRAFT)
    assert "60,00" in page_text(client.get(reverse("permits:summary", args=[draft.pk])))
    client.post(reverse("permits:summary", args=[draft.pk]))
    detail = page_text(client.get(reverse("permits:detail", args=[draft.pk])))
    assert "con pagoPA" in detail and "/pagamenti/riepilogo/?option=" in detail


def test_renewal_in_one_step_then_pdf_and_public_check(sara_user, household, resident_type):
    apply(sara_user, resident_type, plate="AB123CD")
    second = expiring(pay(apply(sara_user, resident_type, plate="EF456GH")), 20)
    client = logged_in(sara_user)
    assert "Rinnova il permesso" in page_text(
        client.get(reverse("permits:detail", args=[second.pk]))
    )
    response = client.post(reverse("permits:renew", args=[second.pk]))
    renewal = Permit.objects.get(renewal_of=second)
    assert response["Location"] == reverse("permits:summary", args=[renewal.pk])
    client.post(reverse("permits:summary", args=[renewal.pk]))
    renewal = pay(Permit.objects.get(pk=renewal.pk))
    assert renewal.status == PermitStatus.VALID
    pdf = client.get(reverse("permits:pdf", args=[second.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    anyone = Client()
    url = reverse("permits:check")
    ok = anyone.get(url, {"targa": "ef 456 gh", "codice": second.display_code})
    assert "Permesso valido" in page_text(ok)
    assert household.sara.last_name not in page_text(ok)
    wrong = anyone.get(url, {"targa": "ZZ999ZZ", "codice": second.display_code})
    assert "Nessun permesso" in page_text(wrong)


def test_someone_else_sees_nothing(sara_user, resident_type, outsider):
    from tests.permits.conftest import citizen_of

    permit = apply(sara_user, resident_type)
    other = logged_in(citizen_of(outsider))
    assert other.get(reverse("permits:detail", args=[permit.pk])).status_code == 404
    assert other.get(reverse("permits:pdf", args=[permit.pk])).status_code == 404


def test_the_office_accepts_a_company_car_seeing_its_documents(
    sara_user, resident_type, mobility_client
):
    permit = apply(
        sara_user,
        resident_type,
        ownership="company",
        owner_id=None,
        contract_document=upload("contratto.pdf", "pdf"),
    )
    queue = page_text(mobility_client.get(reverse("permits:operator_queue")))
    assert permit.plate in queue
    page = page_text(mobility_client.get(reverse("permits:operator_detail", args=[permit.pk])))
    assert "Contratto" in page
    document = mobility_client.get(
        reverse("permits:operator_document", args=[permit.pk, "contract_document"])
    )
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    mobility_client.post(
        reverse("permits:operator_detail", args=[permit.pk]), {"decision": "accept"}
    )
    permit.refresh_from_db()
    assert permit.status == PermitStatus.VALID  # the household's first car: nothing to pay
    stats = page_text(mobility_client.get(reverse("permits:operator_stats")))
    assert "Centro storico" in stats


def test_citizens_cannot_open_the_office(sara_user, resident_type):
    assert logged_in(sara_user).get(reverse("permits:operator_queue")).status_code == 403


def test_the_cameras_fetch_the_plate_list_with_a_token(sara_user, resident_type):
    permit = apply(sara_user, resident_type)
    _token, raw = camera_token_create(name="Varchi centro")
    url = reverse("api-permits-plates")
    assert Client().get(url).status_code == 401
    assert Client().get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "zona;targa;dal;al" and lines[1].startswith(f"ztl-centro;{permit.plate};")
    again = Client().get(
        url, HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    data = Client().get(url, {"formato": "json"}, HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert data["targhe"][0]["targa"] == permit.plate
    # Yesterday the plate was not allowed: the list at a past moment says so.
    yesterday = (datetime.datetime.now() - datetime.timedelta(days=1)).isoformat()
    past = Client().get(url, {"al": yesterday}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert past.content.decode().splitlines() == ["zona;targa;dal;al"]
    history = (
        Client()
        .get(
            reverse("api-permits-plate-history", args=[permit.plate]),
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        .json()
    )
    assert history["periodi"][0]["permesso"] == permit.display_code


def test_the_service_page_in_english(resident_type):
    response = Client().get("/en/permessi/")
    assert "Log in to the service" in page_text(response)


def test_the_office_rejects_with_a_reason_on_its_page(sara_user, resident_type, mobility_client):
    permit = apply(sara_user, resident_type, plate="B1234", plate_foreign=True)
    url = reverse("permits:operator_detail", args=[permit.pk])
    short = mobility_client.post(url, {"decision": "reject", "reason": "no"})
    assert short.status_code == 400 and "almeno 10 caratteri" in page_text(short)
    mobility_client.post(url, {"decision": "reject", "reason": "Libretto illeggibile, ricaricalo."})
    permit.refresh_from_db()
    assert permit.status == PermitStatus.REJECTED
    detail = page_text(logged_in(sara_user).get(reverse("permits:detail", args=[permit.pk])))
    assert "Libretto illeggibile" in detail


def test_a_camera_key_from_the_command_line(resident_type):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("permits_camera_token", "Varchi centro", "--zona", "ztl-centro", stdout=out)
    key = out.getvalue().split(": ", 1)[1].split()[0]
    response = Client().get(reverse("api-permits-plates"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_area_personale_lists_the_permits(sara_user, resident_type):
    from sportello.core.personal_area import personal_items

    permit = apply(sara_user, resident_type)
    items = [
        item for item in personal_items(user=sara_user) if item.service == "Permessi ZTL e ZSC"
    ]
    assert items and items[0].url == reverse("permits:detail", args=[permit.pk])


def test_the_public_check_is_limited_per_client_behind_the_proxy(
    sara_user, resident_type, settings
):
    from django.core.cache import cache

    cache.clear()
    settings.SPORTELLO_TRUSTED_PROXIES = ["10.0.0.2"]
    settings.SPORTELLO_PERMIT_CHECK_LIMIT = 3
    settings.SPORTELLO_PERMIT_CHECK_WINDOW = 600
    permit = apply(sara_user, resident_type)
    url = reverse("permits:check")
    query = {"targa": permit.plate, "codice": permit.display_code}
    nginx = {"REMOTE_ADDR": "10.0.0.2"}
    for _attempt in range(3):
        ok = Client().get(url, query, HTTP_X_FORWARDED_FOR="203.0.113.7", **nginx)
        assert ok.status_code == 200 and "Permesso valido" in page_text(ok)
    refused = Client().get(url, query, HTTP_X_FORWARDED_FOR="203.0.113.7", **nginx)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    text = page_text(refused)
    assert "Troppe verifiche in poco tempo" in text and "Riprova fra 10 minuti" in text
    assert "Permesso valido" not in text
    # Someone else behind the same nginx is not refused; nor is a header written by the client
    # itself to the left of the real one believed.
    other = Client().get(url, query, HTTP_X_FORWARDED_FOR="198.51.100.9", **nginx)
    assert other.status_code == 200 and "Permesso valido" in page_text(other)
    spoofed = Client().get(url, query, HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.7", **nginx)
    assert spoofed.status_code == 429
    cache.clear()


def test_a_plate_change_to_a_company_car_asks_for_the_contract_and_waits_for_the_office(
    sara_user, resident_type, mobility_client
):
    from sportello.channels.models import Delivery
    from sportello.permits.models import PlateChange, PlateChangeStatus
    from sportello.permits.selectors import zone_plates

    permit = apply(sara_user, resident_type, plate="AB123CD")  # a family car
    client = logged_in(sara_user)
    url = reverse("permits:plate_change", args=[permit.pk])
    without = client.post(
        url,
        {"plate": "LM 789 NP", "ownership": "company", "registration_document": upload()},
    )
    assert without.status_code == 400
    assert "carica il contratto" in page_text(without)
    assert not PlateChange.objects.exists()

    asked = client.post(
        url,
        {
            "plate": "LM 789 NP",
            "ownership": "company",
            "registration_document": upload(),
            "contract_document": upload("contratto.pdf", "pdf"),
        },
    )
    assert asked.status_code == 302
    change = PlateChange.objects.get()
    assert change.status == PlateChangeStatus.AWAITING_CHECK
    # Nothing changes for the cameras until the office decides.
    assert zone_plates(zone=resident_type.zone) == ["AB123CD"]
    detail = page_text(client.get(reverse("permits:detail", args=[permit.pk])))
    assert "in verifica dall'ufficio mobilità" in detail
    assert Delivery.objects.filter(purpose="permit_plate_change_submitted").exists()

    queue = page_text(mobility_client.get(reverse("permits:operator_queue")))
    assert "Cambi di targa da verificare" in queue and "LM789NP" in queue
    page = page_text(
        mobility_client.get(reverse("permits:operator_plate_change", args=[change.pk]))
    )
    assert "Contratto" in page
    document = mobility_client.get(
        reverse("permits:operator_plate_change_document", args=[change.pk, "contract_document"])
    )
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    mobility_client.post(
        reverse("permits:operator_plate_change", args=[change.pk]), {"decision": "accept"}
    )
    change.refresh_from_db()
    permit.refresh_from_db()
    assert change.status == PlateChangeStatus.ACCEPTED
    assert (permit.plate, permit.ownership) == ("LM789NP", "company")
    assert permit.contract_document
    assert zone_plates(zone=resident_type.zone) == ["LM789NP"]
    assert Delivery.objects.filter(purpose="permit_plate_changed").exists()


def test_a_company_cars_plate_change_needs_a_new_contract_and_can_be_rejected(
    sara_user, resident_type, mobility_client
):
    from sportello.permits.models import PlateChange, PlateChangeStatus
    from sportello.permits.selectors import zone_plates

    permit = apply(
        sara_user,
        resident_type,
        ownership="company",
        owner_id=None,
        contract_document=upload("contratto.pdf", "pdf"),
    )
    mobility_client.post(
        reverse("permits:operator_detail", args=[permit.pk]), {"decision": "accept"}
    )
    permit.refresh_from_db()
    assert permit.status == PermitStatus.VALID
    client = logged_in(sara_user)
    url = reverse("permits:plate_change", args=[permit.pk])
    # The form starts from the permit's own kind of car: a company car.
    assert 'value="company" checked' in page_text(client.get(url))
    refused = client.post(
        url, {"plate": "RS 321 TV", "ownership": "company", "registration_document": upload()}
    )
    assert refused.status_code == 400 and "carica il contratto" in page_text(refused)
    second = client.post(
        url,
        {
            "plate": "RS 321 TV",
            "ownership": "company",
            "registration_document": upload(),
            "contract_document": upload("contratto.pdf", "pdf"),
        },
    )
    assert second.status_code == 302, re.findall(r'role="alert">([^<]+)', page_text(second))
    change = PlateChange.objects.get()
    mobility_client.post(
        reverse("permits:operator_plate_change", args=[change.pk]),
        {"decision": "reject", "reason": "Il contratto è scaduto il mese scorso."},
    )
    change.refresh_from_db()
    permit.refresh_from_db()
    assert change.status == PlateChangeStatus.REJECTED
    assert permit.plate == "AB123CD" and zone_plates(zone=resident_type.zone) == ["AB123CD"]
    assert "contratto è scaduto" in page_text(
        client.get(reverse("permits:detail", args=[permit.pk]))
    )


def test_a_family_cars_plate_change_is_at_once(sara_user, household, resident_type):
    from sportello.permits.models import PlateChange
    from sportello.permits.selectors import zone_plates

    permit = apply(sara_user, resident_type, plate="AB123CD")
    response = logged_in(sara_user).post(
        reverse("permits:plate_change", args=[permit.pk]),
        {
            "plate": "GH 456 JK",
            "ownership": "family",
            "owner": household.paolo.pk,
            "registration_document": upload(),
        },
    )
    assert response.status_code == 302
    permit.refresh_from_db()
    assert permit.plate == "GH456JK" and permit.owner_id == household.paolo.pk
    assert zone_plates(zone=resident_type.zone) == ["GH456JK"]
    assert not PlateChange.objects.exists()


def test_the_plate_list_is_in_the_openapi_schema_with_its_key():
    schema = Client().get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["cameraToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operation = schema["paths"]["/api/v1/permessi/targhe/"]["get"]
    assert operation["security"] == [{"cameraToken": []}]
    parameters = {item["name"]: item for item in operation["parameters"]}
    assert {"zona", "formato", "al"} <= set(parameters)
    assert parameters["formato"]["schema"]["enum"] == ["csv", "json"]
    assert parameters["al"]["schema"]["format"] == "date-time"
    assert set(operation["responses"]) == {"200", "304", "400", "401", "404"}
    assert set(operation["responses"]["200"]["content"]) == {"text/csv", "application/json"}
    history = schema["paths"]["/api/v1/permessi/targhe/{plate}/storico/"]["get"]
    assert history["security"] == [{"cameraToken": []}]


def test_a_gate_asking_for_csv_gets_it_and_bad_input_is_told(sara_user, resident_type):
    apply(sara_user, resident_type)
    _token, key = camera_token_create(name="Varco")
    url = reverse("api-permits-plates")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    csv_list = Client().get(url, HTTP_ACCEPT="text/csv", **auth)
    assert csv_list.status_code == 200 and csv_list["Content-Type"].startswith("text/csv")
    assert "ztl-centro;AB123CD;" in csv_list.content.decode()
    refused = Client().get(url, {"al": "ieri"}, **auth)
    assert refused.status_code == 400 and "ISO 8601" in refused.json()["detail"]
    unknown = Client().get(url, {"zona": "nessuna"}, **auth)
    assert unknown.status_code == 404 and "Zona sconosciuta" in unknown.json()["detail"]
    wrong = Client().get(url, HTTP_AUTHORIZATION="Bearer sbagliata")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")


def test_the_office_makes_a_camera_key_on_its_page_and_revokes_it(
    sara_user, resident_type, mobility_client
):
    from sportello.core.models import AuditEvent
    from sportello.permits.models import CameraToken

    apply(sara_user, resident_type)
    url = reverse("permits:operator_tokens")
    assert "Chiavi delle telecamere" in page_text(
        mobility_client.get(reverse("permits:operator_queue"))
    )
    empty = mobility_client.post(url, {"action": "create", "name": "  "})
    assert empty.status_code == 400 and "Scrivi chi usa la chiave" in page_text(empty)
    assert not CameraToken.objects.exists()
    made = mobility_client.post(
        url, {"action": "create", "name": "Varchi centro", "zones": ["ztl-centro"]}
    )
    assert made["Cache-Control"] == "no-store"
    key = re.search(r'id="new-key"[^>]*value="([^"]+)"', page_text(made)).group(1)
    token = CameraToken.objects.get()
    assert [zone.code for zone in token.zones.all()] == ["ztl-centro"]
    assert key not in page_text(mobility_client.get(url))  # shown once
    listed = Client().get(reverse("api-permits-plates"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert listed.status_code == 200 and "AB123CD" in listed.content.decode()
    assert AuditEvent.objects.filter(action="permit_camera_token_created").exists()
    mobility_client.post(url, {"action": "revoke", "token": token.pk})
    again = Client().get(reverse("api-permits-plates"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert again.status_code == 401


def test_citizens_cannot_make_camera_keys(sara_user):
    response = logged_in(sara_user).get(reverse("permits:operator_tokens"))
    assert response.status_code in (302, 403)
