"""The demo's own caller ID reaches each provider in the form it needs: kept in E.164 however it
was typed, shown grouped, sent to an SMSC as an international address (SMPP TON/NPI) and to
Kannel with its country code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from sportello.channels.base import Medium
from sportello.channels.providers import smpp as smpp_provider
from sportello.channels.services import delivery_create
from sportello.core.models import Municipality
from tests.channels.kannel import PASSWORD, USERNAME, Kannel, kannel_prepared
from tests.channels.smsc import HOST, Smsc, smsc_running

MOBILE = "+393331234567"
CALLER_ID = "+3905861837510"  # Livorno's alert number, as the demo configures it


def test_a_number_typed_with_spaces_is_kept_in_e164(town) -> None:
    municipality = Municipality.objects.get()
    municipality.alert_caller_id = "0586 1837510"
    municipality.fax_sender = "+39 0586 184 5150"
    municipality.full_clean()  # what the back-office form does

    assert (municipality.alert_caller_id, municipality.fax_sender) == (
        CALLER_ID,
        "+3905861845150",
    )
    municipality.deregistration_line = "0586 ABC"
    with translation.override("it"), pytest.raises(Exception, match="senza lettere"):
        municipality.full_clean()


def test_pages_show_the_demo_numbers_grouped(town) -> None:
    home = Client().get("/allerta/").content.decode()

    assert "dal 0586 183 7510" in home and "Chiama il 0586 183 7596" in home


@pytest.fixture
def smsc(settings) -> Iterator[Smsc]:
    with smsc_running() as server:
        settings.SPORTELLO_CHANNELS = {"sms": "sportello.channels.providers.smpp.SmppSms"}
        settings.SPORTELLO_SMPP = {
            "host": HOST,
            "port": server.port,
            "system_id": "comune",
            "password": "segreto",
            "timeout": 3,
        }
        yield server
        smpp_provider.smpp_session_reset()


def _sms(capture) -> None:
    with capture(execute=True):
        # No sender given: the municipality's own, as every alert and verification uses.
        delivery_create(medium=Medium.SMS, to=MOBILE, purpose="alert", payload={"text": "Prova"})


def test_the_smsc_gets_the_caller_id_as_an_international_address(
    town, smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    _sms(django_capture_on_commit_callbacks)

    [submit] = smsc.submits
    assert (submit.source_addr, submit.source_addr_ton, submit.source_addr_npi) == (
        CALLER_ID[1:],
        1,  # international
        1,  # ISDN/E.164
    )


@pytest.fixture(scope="module")
def gateway() -> Iterator[Kannel]:
    with kannel_prepared() as kannel:
        kannel.start()
        yield kannel


def test_kannel_gets_the_caller_id_with_its_country_code(
    town, gateway: Kannel, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {"sms": "sportello.channels.providers.kannel.KannelSms"}
    settings.SPORTELLO_KANNEL = {
        "url": gateway.sendsms_url,
        "username": USERNAME,
        "password": PASSWORD,
        "dlr_url_base": "http://127.0.0.1:9/nobody",
        "timeout": 5,
    }
    already = len(gateway.received())

    _sms(django_capture_on_commit_callbacks)

    [message] = gateway.wait_for_messages(already + 1)[already:]
    assert (message.sender, message.receiver) == (CALLER_ID, MOBILE)
