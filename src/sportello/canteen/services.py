"""Writes for the canteen's enrolments: a parent starts a draft for a child of their family (or
a child not resident here), fills it in, confirms it after the summary; the school office
accepts in bulk or rejects with a reason. The tariff is computed at submission and again at
acceptance. Credit, meals and the statement live in credit.py, days.py and statement.py."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.it import codicefiscale

from sportello.canteen.models import (
    ACTIVE_STATUSES,
    CreditAccount,
    DietKind,
    DietOption,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    SchoolClass,
    SchoolYear,
    TariffBand,
)
from sportello.core.exceptions import ApplicationError
from sportello.core.money import euro_text
from sportello.core.services import audit_record
from sportello.registry.models import Person
from sportello.registry.selectors import (
    family_minors_in_care,
    person_get_by_codice_fiscale,
    person_is_minor,
)

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
CERTIFICATE_SIGNATURES = (b"%PDF-", b"\xff\xd8\xff")  # PDF, JPEG


def diet_certificate_check(upload: UploadedFile) -> None:
    """A doctor's certificate is a PDF or a JPEG of at most 5 MB (read by its bytes, not by
    the name the browser sent)."""
    if upload.size > MAX_CERTIFICATE_BYTES:
        raise ApplicationError(
            _("Il certificato medico supera i 5 MB: carica un file più piccolo."),
            {"field": "diet_certificate"},
        )
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(CERTIFICATE_SIGNATURES):
        raise ApplicationError(
            _("Il certificato medico deve essere un file PDF o un'immagine JPEG."),
            {"field": "diet_certificate"},
        )


def _window_check(school_year: SchoolYear, today: datetime.date) -> None:
    if not school_year.enrolment_open(today):
        raise ApplicationError(
            _(
                "Le iscrizioni per l'anno scolastico %(year)s sono aperte dal %(opens)s al "
                "%(closes)s: oggi non si possono presentare."
            )
            % {
                "year": school_year.name,
                "opens": f"{school_year.enrolment_opens:%d/%m/%Y}",
                "closes": f"{school_year.enrolment_closes:%d/%m/%Y}",
            }
        )


def _duplicate_check(school_year: SchoolYear, fiscal_code: str, *, exclude: int | None) -> None:
    live = Enrolment.objects.filter(
        school_year=school_year, child_fiscal_code=fiscal_code, status__in=ACTIVE_STATUSES
    )
    if exclude:
        live = live.exclude(pk=exclude)
    if live.exists():
        raise ApplicationError(
            _("Questo bambino è già iscritto alla mensa per l'anno scolastico %(year)s.")
            % {"year": school_year.name}
        )


def enrolment_start(
    *,
    user,
    school_year: SchoolYear,
    child_id: int | None = None,
    fiscal_code: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Enrolment:
    """A draft for a minor of the parent's registry family (`child_id`), or for a child not
    resident here, typed in. A minor of the registry outside the family is refused; a draft
    already begun for the same child is resumed."""
    today = today or timezone.localdate()
    _window_check(school_year, today)
    minors = family_minors_in_care(person=user.person, today=today)
    child: Person | None = None
    if child_id is not None:
        child = minors.filter(pk=child_id).first()
        if child is None:
            raise ApplicationError(_("Puoi iscrivere solo i figli minorenni della tua famiglia."))
    else:
        code = "".join((fiscal_code or "").split()).upper()
        if not codicefiscale.is_valid(code):
            raise ApplicationError(
                _("«%(code)s» non è un codice fiscale valido.") % {"code": fiscal_code},
                {"field": "fiscal_code"},
            )
        registered = person_get_by_codice_fiscale(codice_fiscale=code)
        if registered is not None:
            # Someone the registry knows: only as a minor of the parent's own family.
            child = minors.filter(pk=registered.pk).first()
            if child is None:
                raise ApplicationError(
                    _(
                        "Il bambino con codice fiscale %(code)s non fa parte della tua famiglia "
                        "anagrafica: non puoi iscriverlo tu."
                    )
                    % {"code": code},
                    {"field": "fiscal_code"},
                )
        elif birth_date is None or not first_name.strip() or not last_name.strip():
            raise ApplicationError(_("Indica nome, cognome e data di nascita del bambino."))
        elif birth_date > today or not person_is_minor(
            person=Person(birth_date=birth_date), today=today
        ):
            raise ApplicationError(
                _("Si possono iscrivere alla mensa solo bambini e ragazzi minorenni."),
                {"field": "birth_date"},
            )
    code = child.codice_fiscale if child else code
    _duplicate_check(school_year, code, exclude=None)
    draft = Enrolment.objects.filter(
        school_year=school_year, parent=user, child_fiscal_code=code, status=EnrolmentStatus.DRAFT
    ).first()
    if draft is not None:
        return draft
    # The anagrafe holds the comune's residents (AIRE aside): a child found there lives here.
    resident = child is not None and not child.aire
    return Enrolment.objects.create(
        school_year=school_year,
        parent=user,
        child=child,
        child_fiscal_code=code,
        child_first_name=child.first_name if child else first_name.strip(),
        child_last_name=child.last_name if child else last_name.strip(),
        child_birth_date=child.birth_date if child else birth_date,
        resident=resident,
    )


def enrolment_update(
    *,
    enrolment: Enrolment,
    school_class: SchoolClass | None,
    diet_kind: str,
    diet_option: DietOption | None,
    diet_notes: str,
    diet_certificate: UploadedFile | None,
    no_isee: bool,
    isee_value: Decimal | None,
    dsu_protocol: str,
    rules_accepted: bool,
) -> Enrolment:
    """Keep what the parent typed so far (a draft may be incomplete)."""
    if enrolment.status != EnrolmentStatus.DRAFT:
        raise ApplicationError(_("Questa domanda è già stata inviata e non si può più modificare."))
    if isee_value is not None and isee_value < 0:
        raise ApplicationError(
            _("Il valore ISEE non può essere negativo."), {"field": "isee_value"}
        )
    if diet_certificate is not None:
        diet_certificate_check(diet_certificate)
    enrolment.school_class = school_class
    enrolment.diet_kind = diet_kind
    enrolment.diet_option = diet_option if diet_kind == DietKind.ETHICAL else None
    enrolment.diet_notes = diet_notes if diet_kind == DietKind.MEDICAL else ""
    if diet_kind != DietKind.MEDICAL and enrolment.diet_certificate:
        enrolment.diet_certificate.delete(save=False)
    if diet_certificate is not None and diet_kind == DietKind.MEDICAL:
        if enrolment.diet_certificate:
            enrolment.diet_certificate.delete(save=False)
        enrolment.diet_certificate.save(diet_certificate.name, diet_certificate, save=False)
    enrolment.no_isee = no_isee
    enrolment.isee_value = None if no_isee else isee_value
    enrolment.dsu_protocol = "" if no_isee else dsu_protocol.strip()
    enrolment.rules_accepted = rules_accepted
    enrolment.save()
    return enrolment


def enrolment_missing(enrolment: Enrolment) -> list[str]:
    """What the parent still has to give before the summary, in Italian."""
    missing = []
    if enrolment.school_class_id is None:
        missing.append(_("la scuola e la classe"))
    if enrolment.diet_kind == DietKind.MEDICAL and not enrolment.diet_certificate:
        missing.append(_("il certificato medico per la dieta"))
    if enrolment.diet_kind == DietKind.ETHICAL and enrolment.diet_option_id is None:
        missing.append(_("quale dieta etica o religiosa"))
    if not enrolment.no_isee and (enrolment.isee_value is None or not enrolment.dsu_protocol):
        missing.append(_("il valore ISEE con il protocollo della DSU, o «non presento l'ISEE»"))
    if not enrolment.rules_accepted:
        missing.append(_("l'accettazione del regolamento del servizio"))
    return missing


def tariff_compute(*, enrolment: Enrolment) -> tuple[int, str]:
    """The price of one meal in cents, and how it was reached (shown to the family)."""
    if enrolment.exempt:
        return 0, _("Esenzione disposta dai servizi sociali.")
    bands = list(TariffBand.objects.filter(school_year_id=enrolment.school_year_id))
    if not bands:
        raise ApplicationError(_("Le tariffe di quest'anno scolastico non sono ancora definite."))
    top = next((band for band in bands if band.isee_up_to is None), bands[-1])
    band = top
    if not enrolment.no_isee and enrolment.isee_value is not None:
        band = next(
            (b for b in bands if b.isee_up_to is not None and enrolment.isee_value <= b.isee_up_to),
            top,
        )
    price = band.resident_price if enrolment.resident else band.non_resident_price
    if band.isee_up_to is None:
        note = _("Fascia massima")
    else:
        note = _("Fascia ISEE fino a %(limit)s") % {"limit": euro_text(band.isee_up_to)}
    note += ", " + (_("residente") if enrolment.resident else _("non residente"))
    # Brothers and sisters: enrolled by the same parent, or minors of the same registry family.
    family: list[str] = []
    parent = enrolment.parent
    if getattr(parent, "person_id", None):
        family = list(
            family_minors_in_care(person=parent.person).values_list("codice_fiscale", flat=True)
        )
    older = (
        Enrolment.objects.filter(
            school_year_id=enrolment.school_year_id, status__in=ACTIVE_STATUSES
        )
        .filter(Q(parent_id=enrolment.parent_id) | Q(child_fiscal_code__in=family))
        .exclude(pk=enrolment.pk)
        .exclude(child_fiscal_code=enrolment.child_fiscal_code)
    )
    if enrolment.submitted_at:
        older = older.filter(submitted_at__lt=enrolment.submitted_at)
    percent = enrolment.school_year.sibling_reduction_percent
    if percent and older.exists():
        price = round(price * (100 - percent) / 100)
        note += ", " + _("riduzione del %(percent)d%% dal secondo figlio") % {"percent": percent}
    return price, note


def _event(enrolment: Enrolment, note: str = "") -> None:
    EnrolmentEvent.objects.create(enrolment=enrolment, status=enrolment.status, note=note)


def _email(enrolment: Enrolment, template: str, subject: str) -> None:
    from sportello.channels.base import Medium
    from sportello.channels.services import delivery_create

    address = enrolment.parent.email
    if not address:
        return
    text = render_to_string(f"canteen/email/{template}.txt", {"enrolment": enrolment})
    delivery_create(
        medium=Medium.EMAIL,
        to=address,
        purpose=f"canteen_{template}",
        reference=str(enrolment.pk),
        payload={"subject": subject, "text": text},
    )


def enrolment_submit(
    *, enrolment: Enrolment, user, today: datetime.date | None = None
) -> Enrolment:
    """The parent confirms after the summary: a protocol number, the timeline, the e-mail."""
    today = today or timezone.localdate()
    if enrolment.parent_id != user.pk or enrolment.status != EnrolmentStatus.DRAFT:
        raise ApplicationError(_("Questa domanda non si può inviare."))
    _window_check(enrolment.school_year, today)
    if missing := enrolment_missing(enrolment):
        raise ApplicationError(
            _("Per inviare la domanda manca: %(what)s.") % {"what": "; ".join(missing)}
        )
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            _duplicate_check(enrolment.school_year, enrolment.child_fiscal_code, exclude=None)
            enrolment.status = EnrolmentStatus.SUBMITTED
            enrolment.submitted_at = timezone.now()
            enrolment.meal_price, enrolment.tariff_note = tariff_compute(enrolment=enrolment)
            enrolment.protocol = f"MS-{enrolment.school_year.starts.year}-{enrolment.pk:06d}"
            enrolment.save()
            _event(enrolment)
            _email(
                enrolment,
                "submitted",
                _("Domanda di iscrizione alla mensa %(protocol)s")
                % {"protocol": enrolment.protocol},
            )
    except IntegrityError:
        raise ApplicationError(
            _("Questo bambino è già iscritto alla mensa per l'anno scolastico %(year)s.")
            % {"year": enrolment.school_year.name}
        ) from None
    return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, user) -> Enrolment:
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.parent_id != user.pk or enrolment.status not in (
            EnrolmentStatus.DRAFT,
            EnrolmentStatus.SUBMITTED,
        ):
            raise ApplicationError(_("Questa domanda non si può più ritirare."))
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.save(update_fields=["status", "updated_at"])
        _event(enrolment)
    return enrolment


def account_ensure(*, fiscal_code: str, name: str) -> CreditAccount:
    account, _created = CreditAccount.objects.get_or_create(
        child_fiscal_code=fiscal_code, defaults={"child_name": name}
    )
    return account


def enrolments_accept(*, enrolment_ids: Iterable[int], operator) -> int:
    """The office accepts submitted enrolments (in bulk): the tariff is computed again (an
    exemption may have been recorded), each child gets a credit account, each parent an
    e-mail. Returns how many were accepted."""
    accepted = 0
    with transaction.atomic():
        enrolments = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("school_year", "parent")
            .filter(pk__in=list(enrolment_ids), status=EnrolmentStatus.SUBMITTED)
            .order_by("submitted_at", "pk")
        )
        for enrolment in enrolments:
            enrolment.meal_price, enrolment.tariff_note = tariff_compute(enrolment=enrolment)
            enrolment.account = account_ensure(
                fiscal_code=enrolment.child_fiscal_code, name=enrolment.child_name
            )
            enrolment.status = EnrolmentStatus.ACCEPTED
            enrolment.save()
            _event(enrolment)
            _email(
                enrolment,
                "accepted",
                _("Iscrizione alla mensa accolta (%(protocol)s)")
                % {"protocol": enrolment.protocol},
            )
            accepted += 1
        if accepted:
            audit_record(
                action="canteen_enrolments_accepted",
                actor=operator,
                detail={"ids": sorted(int(pk) for pk in enrolment_ids)},
            )
    return accepted


def enrolment_reject(*, enrolment: Enrolment, operator, reason: str) -> Enrolment:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(_("Scrivi il motivo: la famiglia lo leggerà."), {"field": "reason"})
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != EnrolmentStatus.SUBMITTED:
            raise ApplicationError(_("Si possono respingere solo le domande inviate."))
        enrolment.status = EnrolmentStatus.REJECTED
        enrolment.rejection_reason = reason[:300]
        enrolment.save()
        _event(enrolment, reason[:300])
        _email(
            enrolment,
            "rejected",
            _("Iscrizione alla mensa respinta (%(protocol)s)") % {"protocol": enrolment.protocol},
        )
        audit_record(action="canteen_enrolment_rejected", actor=operator, target=enrolment)
    return enrolment


def enrolment_exempt_set(*, enrolment: Enrolment, operator, exempt: bool) -> Enrolment:
    """An exemption granted (or taken back) by the social services: the tariff follows."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        enrolment.exempt = exempt
        if enrolment.status in ACTIVE_STATUSES:
            enrolment.meal_price, enrolment.tariff_note = tariff_compute(enrolment=enrolment)
        enrolment.save()
        audit_record(
            action="canteen_exemption_set",
            actor=operator,
            target=enrolment,
            detail={"exempt": exempt},
        )
    return enrolment
