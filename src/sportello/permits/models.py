"""ZTL and ZSC permits: the zones (an area of civic numbers, hours), the permit types valid in
each with their fee table, the permits (one per vehicle plate) with their timeline, the history
of which plate was allowed where and when (the cameras' list), and the cameras' API tokens.

Amounts are Decimal euros, as the payments app's specs take them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportello.core.storage import DocumentFileField


class ZoneKind(models.TextChoices):
    ZTL = "ZTL", _("Zona a traffico limitato (ZTL)")
    ZSC = "ZSC", _("Zona a sosta controllata (ZSC)")


class Zone(models.Model):
    """A ZTL or ZSC: the civic numbers inside it (a drawn polygon or a list of streets with
    civic-number ranges, as the alerts' area spec) and the hours in which it is enforced."""

    code = models.SlugField(_("codice"), max_length=30, unique=True)
    name = models.CharField(_("nome"), max_length=100)
    kind = models.CharField(_("tipo"), max_length=3, choices=ZoneKind.choices)
    # {"features": GeoJSON FeatureCollection, "streets": [{"street": id, "from", "to", "parity"}]}
    area = models.JSONField(_("area"), default=dict)
    # [{"days": [1..7], "start": "HH:MM", "end": "HH:MM"}]: when the gates' cameras are on.
    windows = models.JSONField(_("fasce orarie"), default=list)
    hours_text = models.CharField(
        _("orari"), max_length=200, blank=True, help_text=_("Es. tutti i giorni, 0-24.")
    )
    active = models.BooleanField(_("attiva"), default=True)
    civic_count = models.PositiveIntegerField(_("numeri civici"), default=0, editable=False)

    class Meta:
        verbose_name = _("zona")
        verbose_name_plural = _("zone")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class ZoneCivicNumber(models.Model):
    """A civic number inside a zone, worked out from the zone's area when it is saved: whether
    a resident lives inside is then one indexed look-up."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="civic_numbers")
    civic_number = models.ForeignKey(
        "places.CivicNumber", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["civic_number", "zone"], name="permits_zone_civic")
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}:{self.civic_number_id}"


class PermitKind(models.TextChoices):
    RESIDENT = "resident", _("Residenti")
    RESIDENT_PARKING = "resident_parking", _("Sosta residenti")
    BUSINESS = "business", _("Attività nella zona")
    CARER = "carer", _("Assistenza a persone")
    DISABLED = "disabled", _("Persone con disabilità (CUDE)")


class PermitType(models.Model):
    """A kind of permit valid in a zone, with its fee table: `fees[n]` is the fee of the
    household's (n+1)-th vehicle holding a permit of this type; the last one repeats."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="permit_types")
    kind = models.CharField(_("tipo"), max_length=20, choices=PermitKind.choices)
    title = models.CharField(_("nome"), max_length=120)
    fees = models.JSONField(
        _("tariffe"),
        default=list,
        help_text=_('Importi per 1°, 2°, 3° veicolo del nucleo, es. ["0.00", "60.00", "150.00"].'),
    )
    handling_fee = models.DecimalField(
        _("diritti di istruttoria"), max_digits=8, decimal_places=2, default=0
    )
    validity_months = models.PositiveSmallIntegerField(_("validità (mesi)"), default=12)
    residents_only = models.BooleanField(
        _("solo per chi risiede nella zona"),
        default=True,
        help_text=_("Il diritto si controlla sull'anagrafe: nessun modulo lo chiede."),
    )
    office_check = models.BooleanField(
        _("sempre controllato dall'ufficio"),
        default=False,
        help_text=_("Es. CUDE e assistenza: un documento va sempre guardato da una persona."),
    )
    category = models.CharField(
        _("codice tassonomico pagoPA"), max_length=20, default="9/0201117SP/"
    )
    active = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("tipo di permesso")
        verbose_name_plural = _("tipi di permesso")
        ordering = ["zone", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "kind"], name="permits_type_per_zone")
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.zone}"


class PermitStatus(models.TextChoices):
    DRAFT = "draft", _("da confermare")
    AWAITING_CHECK = "awaiting_check", _("in verifica dall'ufficio")
    AWAITING_PAYMENT = "awaiting_payment", _("in attesa del pagamento")
    VALID = "valid", _("valido")
    REJECTED = "rejected", _("respinto")
    EXPIRED = "expired", _("scaduto")
    REVOKED = "revoked", _("revocato")
    CANCELLED = "cancelled", _("annullato")


# A permit still on its way or in force: it counts for the household's fee and blocks a second
# application for the same plate in the same zone.
LIVE_STATUSES = (
    PermitStatus.AWAITING_CHECK,
    PermitStatus.AWAITING_PAYMENT,
    PermitStatus.VALID,
)


class VehicleOwnership(models.TextChoices):
    FAMILY = "family", _("di una persona della famiglia")
    COMPANY = "company", _("aziendale o in leasing/noleggio")


def permit_document_name(instance: Permit, filename: str) -> str:
    return f"permessi/{instance.code}/{filename}"


class Permit(models.Model):
    """One vehicle's permit in one zone for one period. A renewal is a new permit linked to the
    one it follows; a plate change keeps the permit and records the change in the history."""

    code = models.CharField(_("codice"), max_length=12, unique=True, editable=False)
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="permits")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="permits")
    holder = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="permits",
        verbose_name=_("titolare"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The registry family when applying: the household whose vehicles share the fee table.
    family = models.ForeignKey(
        "registry.Family", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plate = models.CharField(_("targa"), max_length=12, db_index=True)
    plate_foreign = models.BooleanField(_("targa estera"), default=False)
    ownership = models.CharField(_("il veicolo è"), max_length=10, choices=VehicleOwnership.choices)
    owner = models.ForeignKey(
        "registry.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intestatario"),
    )
    registration_document = DocumentFileField(
        _("carta di circolazione"), upload_to=permit_document_name, blank=True
    )
    contract_document = DocumentFileField(
        _("contratto di leasing/noleggio o dichiarazione dell'azienda"),
        upload_to=permit_document_name,
        blank=True,
    )
    # What gives the right to a permit the registry cannot tell (CUDE, care, business).
    supporting_document = DocumentFileField(
        _("documento che dà diritto al permesso"), upload_to=permit_document_name, blank=True
    )
    status = models.CharField(_("stato"), max_length=20, choices=PermitStatus.choices)
    valid_from = models.DateField(_("valido dal"))
    valid_until = models.DateField(_("valido fino al"))
    fee = models.DecimalField(_("tariffa"), max_digits=8, decimal_places=2, default=0)
    # The type's handling fee when the citizen confirmed: charged on every application and
    # renewal on top of the fee table, kept here so that a later change of the type's fee does
    # not rewrite what was asked.
    handling_fee = models.DecimalField(
        _("diritti di istruttoria"), max_digits=8, decimal_places=2, default=0
    )
    household_rank = models.PositiveSmallIntegerField(_("veicolo del nucleo n."), default=1)
    payment_position_id = models.BigIntegerField(null=True, blank=True, unique=True)
    renewal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals"
    )
    reason = models.TextField(_("motivo (rifiuto o revoca)"), blank=True)
    # Set when the holder moved out of the zone: the permit ends at this date.
    ends_on = models.DateField(_("termina il"), null=True, blank=True)
    reminded_30_at = models.DateTimeField(null=True, blank=True)
    reminded_7_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("richiesto il"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("permesso")
        verbose_name_plural = _("permessi")
        ordering = ["-created_at", "-pk"]
        permissions = [("check_permit", _("Può verificare, accettare e respingere i permessi"))]
        constraints = [
            # One live permit per plate per zone (a renewal waits as its own row only once the
            # previous is paid, see permit_renew).
            models.UniqueConstraint(
                fields=["zone", "plate"],
                condition=Q(status__in=["awaiting_check", "awaiting_payment"]),
                name="permits_one_pending_per_plate",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.code} {self.plate}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def total(self):
        """What the citizen pays: the fee of the household's rank and the handling fee."""
        return self.fee + self.handling_fee


class PermitEvent(models.Model):
    """A step of the permit's timeline, as the citizen and the office see it."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=PermitStatus.choices)
    text = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text


class PlateAllowance(models.Model):
    """A plate allowed in a zone from `starts_at` until `ends_at` (excluded): the cameras' list
    is the rows covering now; the rows covering a past moment answer an appeal against a fine.
    Rows are only ever shortened, never deleted."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="allowances")
    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="allowances")
    plate = models.CharField(max_length=12)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=120, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["zone", "ends_at"]),
            models.Index(fields=["plate", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M}"


class CameraToken(models.Model):
    """A key for a gate system to read the plate list. Only its SHA-256 is kept."""

    name = models.CharField(_("nome"), max_length=100)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    zones = models.ManyToManyField(
        Zone, blank=True, help_text=_("Vuoto: tutte le zone."), related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chiave delle telecamere")
        verbose_name_plural = _("chiavi delle telecamere")

    def __str__(self) -> str:
        return self.name


class PlateChangeStatus(models.TextChoices):
    AWAITING_CHECK = "awaiting_check", _("in verifica dall'ufficio")
    ACCEPTED = "accepted", _("accettato")
    REJECTED = "rejected", _("respinto")


def plate_change_document_name(instance: PlateChange, filename: str) -> str:
    return f"permessi/{instance.permit.code}/cambio-targa/{filename}"


class PlateChange(models.Model):
    """A plate change the office must look at first: the new vehicle is a company or leasing
    car (its contract proves the right to drive it). The permit keeps its old plate until the
    office accepts; a family car's change needs no check and is never a row here."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="plate_changes")
    plate = models.CharField(_("nuova targa"), max_length=12)
    plate_foreign = models.BooleanField(_("targa estera"), default=False)
    ownership = models.CharField(_("il veicolo è"), max_length=10, choices=VehicleOwnership.choices)
    owner = models.ForeignKey(
        "registry.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intestatario"),
    )
    registration_document = DocumentFileField(
        _("carta di circolazione"), upload_to=plate_change_document_name
    )
    contract_document = DocumentFileField(
        _("contratto di leasing/noleggio o dichiarazione dell'azienda"),
        upload_to=plate_change_document_name,
        blank=True,
    )
    status = models.CharField(_("stato"), max_length=20, choices=PlateChangeStatus.choices)
    reason = models.TextField(_("motivo del rifiuto"), blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("chiesto il"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cambio di targa")
        verbose_name_plural = _("cambi di targa")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["permit"],
                condition=Q(status="awaiting_check"),
                name="permits_one_pending_plate_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id}: {self.plate}"
