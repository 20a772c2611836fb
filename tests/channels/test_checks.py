"""A provider chosen without its settings is reported at start-up, naming what to set."""

from __future__ import annotations

from django.core.checks import run_checks


def test_twilio_without_credentials_is_an_error(settings) -> None:
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "voice": "sportello.channels.providers.twilio.TwilioVoice",
    }
    settings.TWILIO_ACCOUNT_SID = None
    settings.TWILIO_AUTH_TOKEN = None

    ids = [message.id for message in run_checks()]

    assert "sportello.channels.E001" in ids


def test_the_simulator_needs_nothing(settings) -> None:
    ids = [message.id for message in run_checks()]

    assert not [i for i in ids if i.startswith("sportello.channels.")]


def test_smpp_without_its_settings_is_an_error(settings) -> None:
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "sms": "sportello.channels.providers.smpp.SmppSms",
    }
    settings.SPORTELLO_SMPP = None

    ids = [message.id for message in run_checks()]

    assert "sportello.channels.E002" in ids
