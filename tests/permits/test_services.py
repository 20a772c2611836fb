"""Applications, fees, payment, the office's decisions, renewals, plate changes and the daily
jobs, told as sentences about Sara's household."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sportello.core.exceptions import ApplicationError
from sportello.payments.hooks import PaymentEvent
from sportello.payments.models import PaymentPosition
from sportello.permits import services
from sportello.permits.models import Permit, PermitStatus, PlateAllowance, VehicleOwnership
from sportello.permits.selectors import permit_check, zone_plates
from tests.permits.conftest import far_civic, upload

pytestmark = pytest.mark.django_db


def apply(user, permit_type, plate="AB123CD", **kwargs) -> Permit:
    values = {
        "user": user,
        "permit_type_id": permit_type.pk,
        "plate": plate,
        "plate_foreign": False,
        "ownership": VehicleOwnership.FAMILY,
        "owner_id": user.person_id,
        "registration_document": upload(),
    }
    values.update(kwargs)
    draft = services.permit_draft_create(**values)
    return services.permit_confirm(permit=draft, user=user)


def pay(permit: Permit) -> Permit:
    services.permit_paid(
        PaymentEvent(permit.payment_position_id, 0, "permits", str(permit.pk), True)
    )
    permit.refresh_from_db()
    return permit


def test_the_first_car_of_the_household_is_free_and_issued_at_once(sara_user, resident_type):
    permit = apply(sara_user, resident_type, plate="ab-123 cd")
    assert permit.status == PermitStatus.VALID
    assert permit.plate == "AB123CD"
    assert permit.fee == 0 and permit.payment_position_id is None
    assert permit.valid_from == timezone.localdate()
    assert zone_plates(zone=resident_type.zone) == ["AB123CD"]
    assert permit_check(code=permit.code, plate="AB123CD").outcome == "valid"


def test_the_second_car_costs_60_and_the_third_150(sara_user, household, resident_type):
    apply(sara_user, resident_type, plate="AB123CD")
    second = apply(sara_user, resident_type, plate="EF456GH", owner_id=household.paolo.pk)
    assert (second.household_rank, second.fee) == (2, Decimal("60.00"))
    assert second.status == PermitStatus.AWAITING_PAYMENT
    position = PaymentPosition.objects.get(pk=second.payment_position_id)
    assert position.service == "permits"
    assert position.debtor_fiscal_code == household.sara.codice_fiscale
    third = apply(sara_user, resident_type, plate="LM789NP")
    assert third.fee == Decimal("150.00")
    # Not on the cameras' list until paid; paying twice changes nothing.
    assert "EF456GH" not in zone_plates(zone=resident_type.zone)
    assert pay(second).status == PermitStatus.VALID
    assert pay(second).status == PermitStatus.VALID
    assert PlateAllowance.objects.filter(permit=second).count() == 1
    assert "EF456GH" in zone_plates(zone=resident_type.zone)


def test_the_fee_table_is_configuration(sara_user, resident_type):
    resident_type.fees = ["25.00"]
    resident_type.save()
    permit = apply(sara_user, resident_type)
    assert permit.fee == Decimal("25.00") and permit.status == PermitStatus.AWAITING_PAYMENT


def test_a_plate_in_no_known_format_is_refused(sara_user, resident_type):
    with pytest.raises(ApplicationError, match="non è una targa italiana"):
        apply(sara_user, resident_type, plate="AB12")
    assert not Permit.objects.exists()


@pytest.mark.parametrize("plate", ["AB123CD", "ab 12345", "X2B4C6", "LI 123456", "ROMA A12345"])
def test_italian_formats_are_accepted(plate):
    from sportello.permits.plates import plate_parse

    assert not plate_parse(plate).foreign


def test_a_foreign_plate_is_marked_and_checked_by_the_office(sara_user, resident_type):
    permit = apply(sara_user, resident_type, plate="B-MW 1234", plate_foreign=True)
    assert permit.plate_foreign and permit.status == PermitStatus.AWAITING_CHECK


def test_a_vehicle_outside_the_family_needs_a_contract(sara_user, resident_type):
    with pytest.raises(ApplicationError, match="contratto"):
        apply(sara_user, resident_type, ownership=VehicleOwnership.COMPANY, owner_id=None)
    with pytest.raises(ApplicationError, match="famiglia"):
        apply(sara_user, resident_type, owner_id=999999)
    assert not Permit.objects.exists()


def test_a_company_car_waits_for_the_office_then_is_paid(
    sara_user, household, resident_type, mobility_client
):
    from sportello.accounts.models import User

    apply(sara_user, resident_type, plate="AB123CD")  # the household's first
    permit = apply(
        sara_user,
        resident_type,
        plate="ZZ999ZZ",
        ownership=VehicleOwnership.COMPANY,
        owner_id=None,
        contract_document=upload("contratto.pdf", "pdf"),
    )
    assert permit.status == PermitStatus.AWAITING_CHECK and permit.payment_position_id is None
    clerk = User.objects.get(username="mobilita")
    permit = services.permit_accept(permit=permit, by=clerk)
    assert permit.status == PermitStatus.AWAITING_PAYMENT and permit.fee == Decimal("60.00")
    assert pay(permit).status == PermitStatus.VALID


def test_the_office_rejects_with_a_reason_and_the_citizen_sees_it(
    sara_user, resident_type, mobility_client, mailoutbox
):
    from sportello.accounts.models import User

    permit = apply(sara_user, resident_type, plate="B1234", plate_foreign=True)
    clerk = User.objects.get(username="mobilita")
    with pytest.raises(ApplicationError, match="motivo"):
        services.permit_reject(permit=permit, by=clerk, reason="no")
    permit = services.permit_reject(
        permit=permit, by=clerk, reason="Il libretto caricato non è leggibile."
    )
    assert permit.status == PermitStatus.REJECTED
    assert "non è leggibile" in permit.events.last().text


def test_an_address_outside_every_zone_is_told_so(sara_user, household, resident_type):
    household.sara.residence = far_civic()
    household.sara.save()
    sara_user.refresh_from_db()
    with pytest.raises(ApplicationError, match="residenza"):
        apply(sara_user, resident_type)


def test_a_document_that_is_not_pdf_jpeg_or_png_is_refused(sara_user, resident_type, settings):
    with pytest.raises(ApplicationError, match="PDF"):
        apply(sara_user, resident_type, registration_document=upload("x.exe", "exe"))
    settings.SPORTELLO_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ApplicationError, match="troppo grande"):
        apply(sara_user, resident_type, registration_document=upload("big.exe", "exe", 5000))
    assert not Permit.objects.exists()


def test_the_same_plate_twice_in_a_zone_is_refused(sara_user, resident_type):
    apply(sara_user, resident_type)
    with pytest.raises(ApplicationError, match="già un permesso"):
        apply(sara_user, resident_type)


def expiring(permit: Permit, days: int) -> Permit:
    """Move the permit's period so that it ends in `days` days."""
    end = timezone.localdate() + datetime.timedelta(days=days)
    Permit.objects.filter(pk=permit.pk).update(
        valid_from=end - datetime.timedelta(days=364), valid_until=end
    )
    PlateAllowance.objects.filter(permit=permit).update(
        ends_at=services.day_start(end + datetime.timedelta(days=1))
    )
    permit.refresh_from_db()
    return permit


def test_renewal_in_one_step_starts_where_the_permit_ends(sara_user, household, resident_type):
    first = apply(sara_user, resident_type, plate="AB123CD")
    second = pay(apply(sara_user, resident_type, plate="EF456GH"))
    second = expiring(second, 20)
    renewal = services.permit_renew(permit=second, user=sara_user)
    # Its place in the household does not change: still the second car.
    assert renewal.fee == Decimal("60.00") and renewal.status == PermitStatus.DRAFT
    renewal = services.permit_confirm(permit=renewal, user=sara_user)
    renewal = pay(renewal)
    assert renewal.valid_from == second.valid_until + datetime.timedelta(days=1)
    assert renewal.status == PermitStatus.VALID
    with pytest.raises(ApplicationError, match="rinnovare"):
        services.permit_renew(permit=second, user=sara_user)
    assert first.status == PermitStatus.VALID


def test_a_revoked_permit_cannot_be_renewed(sara_user, resident_type):
    from sportello.accounts.models import User

    permit = expiring(apply(sara_user, resident_type), 10)
    clerk = User.objects.create_user("vigile")
    permit = services.permit_revoke(permit=permit, by=clerk, reason="Veicolo venduto a terzi.")
    assert permit_check(code=permit.code, plate=permit.plate).outcome == "revoked"
    assert zone_plates(zone=resident_type.zone) == []
    with pytest.raises(ApplicationError, match="revocato"):
        services.permit_renew(permit=permit, user=sara_user)


def test_a_plate_change_moves_the_list_and_keeps_the_history(sara_user, resident_type):
    permit = apply(sara_user, resident_type, plate="AB123CD")
    services.permit_plate_change(
        permit=permit,
        user=sara_user,
        plate="GH456JK",
        plate_foreign=False,
        registration_document=upload(),
    )
    assert zone_plates(zone=resident_type.zone) == ["GH456JK"]
    before = PlateAllowance.objects.get(plate="AB123CD")
    assert before.ends_at <= timezone.now()
    assert PlateAllowance.objects.get(plate="GH456JK").note.startswith("cambio targa")


def test_reminders_at_30_and_7_days_are_sent_once(sara_user, resident_type, mailoutbox):
    from sportello.channels.models import Delivery

    permit = expiring(apply(sara_user, resident_type), 25)
    assert services.permits_remind() == 1
    assert services.permits_remind() == 0
    permit = expiring(permit, 6)
    assert services.permits_remind() == 1
    assert services.permits_remind() == 0
    assert Delivery.objects.filter(purpose="permit_reminder").count() == 2


def test_expiry_at_midnight(sara_user, resident_type):
    permit = expiring(apply(sara_user, resident_type), -1)
    assert zone_plates(zone=resident_type.zone) == []
    assert services.permits_expire() == 1
    permit.refresh_from_db()
    assert permit.status == PermitStatus.EXPIRED
    assert permit_check(code=permit.code, plate=permit.plate).outcome == "expired"


def test_moving_out_of_the_zone_ends_the_permit_after_the_grace_period(
    sara_user, household, resident_type, settings
):
    settings.SPORTELLO_PERMIT_MOVE_GRACE_DAYS = 10
    permit = apply(sara_user, resident_type)
    household.sara.residence = far_civic()
    household.sara.save()
    assert services.permits_residence_check() == 1
    assert services.permits_residence_check() == 0
    permit.refresh_from_db()
    assert permit.ends_on == timezone.localdate() + datetime.timedelta(days=10)
    later = services.day_start(permit.ends_on) + datetime.timedelta(hours=1)
    assert zone_plates(zone=resident_type.zone, at=later) == []
    assert zone_plates(zone=resident_type.zone) == [permit.plate]
    assert services.permits_expire(today=permit.ends_on) == 1


def test_a_cude_permit_is_always_checked_and_needs_its_document(sara_user, cude_type):
    with pytest.raises(ApplicationError, match="documento"):
        apply(sara_user, cude_type)
    permit = apply(sara_user, cude_type, supporting_document=upload("cude.pdf", "pdf"))
    assert permit.status == PermitStatus.AWAITING_CHECK


def test_the_hook_issues_after_a_real_payment(
    sara_user, household, resident_type, django_capture_on_commit_callbacks
):
    from sportello.payments.models import PaymentOption
    from sportello.payments.services import receipts_receive
    from tests.permits.conftest import receipt_for

    apply(sara_user, resident_type)
    second = apply(sara_user, resident_type, plate="EF456GH")
    option = PaymentOption.objects.get(position_id=second.payment_position_id)
    from sportello.payments.services import position_publish

    position_publish(position_id=second.payment_position_id)
    with django_capture_on_commit_callbacks(execute=True):
        receipts_receive(documents=[receipt_for(option)], source="test")
    second.refresh_from_db()
    assert second.status == PermitStatus.VALID


def test_a_cude_covers_the_person_whoever_owns_the_car(sara_user, cude_type):
    permit = apply(
        sara_user,
        cude_type,
        plate="CD321EF",
        ownership=VehicleOwnership.COMPANY,
        owner_id=None,
        supporting_document=upload("cude.pdf", "pdf"),
    )
    assert permit.status == PermitStatus.AWAITING_CHECK and not permit.contract_document


def test_a_move_recorded_by_the_registry_ends_the_permit_at_once(
    sara_user, household, resident_type, settings, django_capture_on_commit_callbacks
):
    """No need to wait for the night: the registry's own service moves the family and the
    permit gets its end and its notice in the same minute (the nightly job finds nothing)."""
    from sportello.channels.models import Delivery
    from sportello.registry.services import person_update

    settings.SPORTELLO_PERMIT_MOVE_GRACE_DAYS = 10
    permit = apply(sara_user, resident_type)
    with django_capture_on_commit_callbacks(execute=True):
        person_update(person=household.sara, data={"residence": far_civic()})
    permit.refresh_from_db()
    assert permit.ends_on == timezone.localdate() + datetime.timedelta(days=10)
    assert Delivery.objects.filter(purpose="permit_moved", reference=str(permit.pk)).exists()
    assert "non è più nella zona" in permit.events.last().text
    later = services.day_start(permit.ends_on) + datetime.timedelta(hours=1)
    assert zone_plates(zone=resident_type.zone, at=later) == []
    assert services.permits_residence_check() == 0


def test_a_move_inside_the_zone_leaves_the_permit_alone(
    sara_user, household, resident_type, django_capture_on_commit_callbacks
):
    from sportello.places.models import CivicNumber
    from sportello.registry.services import person_update

    permit = apply(sara_user, resident_type)
    home = household.sara.residence
    neighbour, _created = CivicNumber.objects.get_or_create(
        street_id=home.street_id,
        number=2 if str(home.number) == "1" else 1,
        defaults={"latitude": home.latitude, "longitude": home.longitude},
    )
    services.zone_area_set(zone=resident_type.zone, area=resident_type.zone.area)
    with django_capture_on_commit_callbacks(execute=True):
        person_update(person=household.sara, data={"residence": neighbour})
    permit.refresh_from_db()
    assert permit.ends_on is None
