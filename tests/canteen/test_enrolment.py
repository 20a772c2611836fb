"""Enrolment: a parent enrols a child of their family (or a child not resident here) inside the
window, once per year; the tariff follows the ISEE band, residence, siblings and exemptions;
the office accepts in bulk or rejects with a reason; bad input leaves nothing half-written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sportello.canteen import services
from sportello.canteen.models import DietKind, Enrolment, EnrolmentStatus
from sportello.core.exceptions import ApplicationError

from .conftest import accepted, certificate_file, citizen_of, enrol

pytestmark = pytest.mark.django_db


def test_a_parent_enrols_a_child_and_reads_the_tariff(canteen, family, sara) -> None:
    enrolment = enrol(sara, family.tommaso, canteen, isee="5000")
    assert enrolment.status == EnrolmentStatus.SUBMITTED
    assert enrolment.protocol == f"MS-{canteen.year.starts.year}-{enrolment.pk:06d}"
    assert enrolment.meal_price == 100  # first band, resident
    assert "6.000,00" in enrolment.tariff_note
    assert [event.status for event in enrolment.events.all()] == [EnrolmentStatus.SUBMITTED]


def test_the_second_child_has_the_reduction(canteen, family, sara) -> None:
    enrol(sara, family.tommaso, canteen, isee="10000")
    second = enrol(sara, family.giulia, canteen, isee="10000")
    assert second.meal_price == 224  # 280 less 20 %
    assert "20%" in second.tariff_note


def test_no_isee_means_the_top_band(canteen, family, sara) -> None:
    assert enrol(sara, family.tommaso, canteen, isee=None).meal_price == 520


def test_a_child_not_resident_is_entered_with_their_data(canteen, family, sara) -> None:
    enrolment = services.enrolment_start(
        user=sara,
        school_year=canteen.year,
        fiscal_code="RSSMRA17A01G702Q",
        first_name="Mario",
        last_name="Rossi",
        birth_date=datetime.date(2017, 1, 1),
    )
    assert not enrolment.resident
    assert enrolment.child is None


def test_a_child_of_another_family_is_refused(canteen, family, sara, bruno) -> None:
    with pytest.raises(ApplicationError, match="non fa parte della tua famiglia"):
        services.enrolment_start(
            user=sara, school_year=canteen.year, fiscal_code=bruno.codice_fiscale
        )
    with pytest.raises(ApplicationError, match="figli minorenni della tua famiglia"):
        services.enrolment_start(user=sara, school_year=canteen.year, child_id=bruno.pk)
    assert not Enrolment.objects.exists()


def test_outside_the_window_nothing_is_written(canteen, family, sara) -> None:
    canteen.year.enrolment_closes = canteen.year.enrolment_opens
    canteen.year.save()
    with pytest.raises(ApplicationError, match="aperte dal"):
        services.enrolment_start(user=sara, school_year=canteen.year, child_id=family.tommaso.pk)
    assert not Enrolment.objects.exists()


def test_the_same_child_twice_in_a_year_is_refused(canteen, family, sara) -> None:
    enrol(sara, family.tommaso, canteen)
    with pytest.raises(ApplicationError, match="già iscritto"):
        services.enrolment_start(user=sara, school_year=canteen.year, child_id=family.tommaso.pk)
    # even by the other parent
    other = citizen_of(family.giulia)  # any user of the family: refused before anything
    assert Enrolment.objects.filter(status=EnrolmentStatus.SUBMITTED).count() == 1
    assert other


def test_a_draft_is_resumed_not_duplicated(canteen, family, sara) -> None:
    first = enrol(sara, family.tommaso, canteen, submit=False)
    again = services.enrolment_start(
        user=sara, school_year=canteen.year, child_id=family.tommaso.pk
    )
    assert again.pk == first.pk and again.status == EnrolmentStatus.DRAFT


def test_a_negative_isee_is_refused(canteen, family, sara) -> None:
    draft = services.enrolment_start(
        user=sara, school_year=canteen.year, child_id=family.tommaso.pk
    )
    with pytest.raises(ApplicationError, match="negativo"):
        services.enrolment_update(
            enrolment=draft,
            school_class=canteen.class_3a,
            diet_kind=DietKind.NONE,
            diet_option=None,
            diet_notes="",
            diet_certificate=None,
            no_isee=False,
            isee_value=Decimal("-1"),
            dsu_protocol="X",
            rules_accepted=True,
        )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"GIF89a....", "certificato.gif", "PDF o un'immagine JPEG"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "grande.pdf", "5 MB"),
    ],
)
def test_a_diet_certificate_must_be_a_small_pdf_or_jpeg(
    canteen, family, sara, data, name, message
) -> None:
    draft = services.enrolment_start(
        user=sara, school_year=canteen.year, child_id=family.tommaso.pk
    )
    with pytest.raises(ApplicationError, match=message):
        services.enrolment_update(
            enrolment=draft,
            school_class=canteen.class_3a,
            diet_kind=DietKind.MEDICAL,
            diet_option=None,
            diet_notes="",
            diet_certificate=SimpleUploadedFile(name, data),
            no_isee=True,
            isee_value=None,
            dsu_protocol="",
            rules_accepted=True,
        )
    draft.refresh_from_db()
    assert not draft.diet_certificate


def test_a_medical_diet_keeps_its_certificate(canteen, family, sara) -> None:
    enrolment = enrol(sara, family.tommaso, canteen, diet_kind=DietKind.MEDICAL)
    assert enrolment.diet_certificate.name.startswith("canteen/diete/")
    assert enrolment.diet_label == "Sanitaria"


def test_submitting_without_what_is_needed_says_what_is_missing(canteen, family, sara) -> None:
    draft = services.enrolment_start(
        user=sara, school_year=canteen.year, child_id=family.tommaso.pk
    )
    with pytest.raises(ApplicationError, match="scuola e la classe"):
        services.enrolment_submit(enrolment=draft, user=sara)
    draft.refresh_from_db()
    assert draft.status == EnrolmentStatus.DRAFT and not draft.protocol


def test_the_office_accepts_in_bulk_and_each_child_gets_a_credit(
    canteen, family, sara, school_office, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        one = enrol(sara, family.tommaso, canteen)
        two = enrol(sara, family.giulia, canteen, school_class=canteen.section_b)
        assert (
            services.enrolments_accept(enrolment_ids=[one.pk, two.pk], operator=school_office) == 2
        )
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == two.status == EnrolmentStatus.ACCEPTED
    assert one.account.child_fiscal_code == family.tommaso.codice_fiscale
    subjects = [message.subject for message in mailoutbox]
    assert sum("accolta" in subject for subject in subjects) == 2
    assert sum("Domanda di iscrizione" in subject for subject in subjects) == 2


def test_rejection_needs_a_reason_and_reaches_the_timeline(
    canteen, family, sara, school_office
) -> None:
    enrolment = enrol(sara, family.tommaso, canteen)
    with pytest.raises(ApplicationError, match="motivo"):
        services.enrolment_reject(enrolment=enrolment, operator=school_office, reason="  ")
    services.enrolment_reject(
        enrolment=enrolment, operator=school_office, reason="Classe senza mensa"
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REJECTED
    assert enrolment.events.last().note == "Classe senza mensa"
    # once rejected, the child may be enrolled again
    assert enrol(sara, family.tommaso, canteen).status == EnrolmentStatus.SUBMITTED


def test_an_exemption_makes_the_meal_free(canteen, family, sara, school_office) -> None:
    enrolment = accepted(sara, family.tommaso, canteen, school_office)
    services.enrolment_exempt_set(enrolment=enrolment, operator=school_office, exempt=True)
    enrolment.refresh_from_db()
    assert enrolment.meal_price == 0


def test_a_withdrawn_enrolment_frees_the_child(canteen, family, sara) -> None:
    enrolment = enrol(sara, family.tommaso, canteen)
    services.enrolment_withdraw(enrolment=enrolment, user=sara)
    assert enrol(sara, family.tommaso, canteen).status == EnrolmentStatus.SUBMITTED


def test_certificate_helper_is_a_pdf() -> None:
    assert certificate_file().read(5) == b"%PDF-"
