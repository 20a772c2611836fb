"""The phone simulator shows what each number received: calls to answer with the keypad, SMS,
and faxes as the pages a fax machine would print."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from sportello.accounts.models import User
from sportello.channels.base import Medium
from sportello.channels.fax import fax_document_from_html
from sportello.channels.services import delivery_create

NUMBER = "+390586111222"


@pytest.fixture
def public_simulator(settings) -> None:
    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = True


def test_sms_and_fax_pages_appear_for_the_number(
    db, public_simulator, django_capture_on_commit_callbacks
) -> None:
    pdf = fax_document_from_html(html="<h1>Allerta meteo arancione</h1><p>Restate in casa.</p>")
    name = default_storage.save("fax/allerta.pdf", ContentFile(pdf))
    with django_capture_on_commit_callbacks(execute=True):
        delivery_create(medium=Medium.SMS, to=NUMBER, purpose="test", payload={"text": "Prova SMS"})
        fax = delivery_create(
            medium=Medium.FAX,
            to=NUMBER,
            purpose="test",
            payload={"document": name, "title": "Allerta meteo"},
        )

    page = Client().get("/simulatore-telefono/?numero=0586111222").content.decode()
    image = Client().get(f"/simulatore-telefono/fax/{fax.pk}/1.png")

    assert "Prova SMS" in page and "Prima pagina del fax: Allerta meteo" in page
    assert image["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(image.content))
    assert picture.width == 864  # half of the 1728 fax pixels
    assert Client().get(f"/simulatore-telefono/fax/{fax.pk}/2.png").status_code == 404


def _operator(role: str) -> Client:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(f"op-{len(role)}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_outside_the_demo_only_the_alert_roles_open_it(db, settings) -> None:
    from sportello.accounts.roles import Role

    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = False
    citizen = Client()
    citizen.force_login(User.objects.create_user("qualcuno"))
    school_office = _operator(Role.SCHOOL_OFFICE)
    civil_protection = _operator(Role.CIVIL_PROTECTION)
    deregister = {"numero": "333 123 4567", "flow": "deregistration", "step": "start"}

    assert Client().get("/simulatore-telefono/").status_code == 302
    assert citizen.get("/simulatore-telefono/").status_code == 403
    # Staff of another office neither reads anyone's messages nor calls the lines as anyone.
    assert school_office.get("/simulatore-telefono/?numero=3331234567").status_code == 403
    assert school_office.post("/simulatore-telefono/chiama/", deregister).status_code == 403
    assert civil_protection.get("/simulatore-telefono/").status_code == 200


def test_production_has_no_simulator_unless_a_drill_needs_it(db, settings) -> None:
    from sportello.accounts.roles import Role

    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = False
    settings.SPORTELLO_PHONE_SIMULATOR_ENABLED = False
    civil_protection = _operator(Role.CIVIL_PROTECTION)

    assert civil_protection.get("/simulatore-telefono/").status_code == 404
    settings.SPORTELLO_PHONE_SIMULATOR_ENABLED = True  # switched on for a drill
    assert civil_protection.get("/simulatore-telefono/").status_code == 200


def test_the_voice_can_be_heard(db, public_simulator) -> None:
    if shutil.which("espeak-ng") is None:
        message = "espeak-ng is not installed (apt-get install espeak-ng)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
    from sportello.channels.ivr import Say
    from sportello.channels.simulator_views import _audio_url

    url = _audio_url(Say("Prova di ascolto", "it"))
    response = Client().get(url)

    assert response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF"
    assert Client().get("/simulatore-telefono/audio/?t=falso").status_code == 404


def test_only_calls_that_rang_are_listed_at_the_time_they_rang(
    db, public_simulator, django_capture_on_commit_callbacks
) -> None:
    import datetime

    from django.utils import timezone

    from sportello.channels.base import DeliveryStatus
    from sportello.channels.models import Delivery, SimulatorHandoff

    with django_capture_on_commit_callbacks(execute=True):
        rang = delivery_create(
            medium=Medium.VOICE, to=NUMBER, purpose="alert", payload={"flow": "alert_message"}
        )
    rang_at = timezone.now() - datetime.timedelta(hours=2)
    SimulatorHandoff.objects.filter(delivery_id=rang.pk).update(at=rang_at)
    Delivery.objects.filter(pk=rang.pk).update(created_at=rang_at - datetime.timedelta(hours=1))
    # A retry that never went out: queued, then cancelled when the alert was stopped.
    Delivery.objects.create(
        medium=Medium.VOICE, to=NUMBER, purpose="alert", status=DeliveryStatus.CANCELED
    )

    page = Client().get("/simulatore-telefono/?numero=0586111222").content.decode()

    assert page.count("Chiamata da") == 1
    shown = timezone.localtime(rang_at).strftime("%d/%m/%Y %H:%M")
    assert shown in page
