"""Users and citizen identity.

A `User` is either an operator of the back-office or a certified citizen, whose account belongs
to one registry person. Credentials issued to citizens (at the counter or on a PEC request) are
recorded with the identity check that preceded them; revocations, password history and the
sessions each user has open are kept alongside.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportello.core.storage import DocumentFileField


class User(AbstractUser):
    person = models.OneToOneField(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        verbose_name=_("persona in anagrafe"),
        help_text=_("Per i cittadini certificati: la persona a cui appartiene l'utenza."),
    )
    phone = models.CharField(_("telefono"), max_length=20, blank=True)
    password_is_temporary = models.BooleanField(
        _("password temporanea"),
        default=False,
        help_text=_("Va cambiata al primo accesso, prima di qualsiasi altra cosa."),
    )
    password_expires_at = models.DateTimeField(
        _("scadenza della password temporanea"), null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("credenziali revocate il"), null=True, blank=True)

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")

    @property
    def codice_fiscale(self) -> str:
        """For the password similarity check: a password must not look like one's own CF."""
        return self.person.codice_fiscale if self.person_id else ""

    @property
    def is_citizen(self) -> bool:
        return self.person_id is not None and not self.is_staff

    def temporary_password_expired(self, *, now=None) -> bool:
        if not self.password_is_temporary or self.password_expires_at is None:
            return False
        return (now or timezone.now()) >= self.password_expires_at


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords, so that none of the last few is reused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("password precedente")
        verbose_name_plural = _("password precedenti")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class IdentityDocument(models.TextChoices):
    CIE = "cie", _("Carta d'identità elettronica")
    PAPER_ID = "carta_identita", _("Carta d'identità cartacea")
    PASSPORT = "passaporto", _("Passaporto")
    DRIVING_LICENCE = "patente", _("Patente di guida")
    RESIDENCE_PERMIT = "permesso_soggiorno", _("Permesso di soggiorno")


class RequestChannel(models.TextChoices):
    COUNTER = "counter", _("Allo sportello")
    PEC = "pec", _("PEC")
    ONLINE = "online", _("Modulo online")


class RequestKind(models.TextChoices):
    REQUEST = "request", _("Richiesta di credenziali")
    UNRECOGNISED = "unrecognised", _("Messaggio da esaminare")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Da lavorare")
    ISSUED = "issued", _("Credenziali rilasciate")
    REJECTED = "rejected", _("Respinta")
    ARCHIVED = "archived", _("Archiviato")


class CredentialRequest(models.Model):
    """A request for credentials waiting for a counter operator (from a PEC or the online form).

    Messages read from the PEC mailbox that are not recognisable requests are queued here too,
    as items to examine, so that nothing that reaches the mailbox is silently dropped.
    """

    channel = models.CharField(_("canale"), max_length=10, choices=RequestChannel.choices)
    kind = models.CharField(
        _("tipo"), max_length=15, choices=RequestKind.choices, default=RequestKind.REQUEST
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    received_at = models.DateTimeField(_("ricevuta il"), default=timezone.now, db_index=True)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("persona in anagrafe"),
    )
    first_name = models.CharField(_("nome"), max_length=100, blank=True)
    last_name = models.CharField(_("cognome"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefono"), max_length=20, blank=True)
    certified_sender = models.EmailField(_("mittente PEC"), blank=True)
    subject = models.CharField(_("oggetto"), max_length=250, blank=True)
    text = models.TextField(_("testo"), blank=True)
    attachments = models.JSONField(_("allegati"), default=list, blank=True)
    message_id = models.CharField(
        _("identificativo del messaggio"), max_length=250, null=True, blank=True, unique=True
    )
    reason = models.CharField(_("motivo"), max_length=250, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lavorata da"),
    )
    handled_at = models.DateTimeField(_("lavorata il"), null=True, blank=True)
    outcome = models.TextField(_("esito"), blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("richiesta di credenziali")
        verbose_name_plural = _("richieste di credenziali")

    def __str__(self) -> str:
        who = self.codice_fiscale or self.certified_sender or self.email
        return f"{self.get_channel_display()} {who} {self.received_at:%d/%m/%Y}"


class CredentialRequestFile(models.Model):
    """A file attached to a PEC request (the identity document, the signed form…), kept in the
    private documents storage under a name of ours. Only the request's clerks open it, through
    a view that audits every opening; it is never served inline."""

    credential_request = models.ForeignKey(
        CredentialRequest, on_delete=models.CASCADE, related_name="files"
    )
    filename = models.CharField(_("nome del file"), max_length=200)
    content_type = models.CharField(_("tipo"), max_length=100)
    size = models.PositiveIntegerField(_("dimensione"))
    file = DocumentFileField(_("file"), upload_to="pec/%Y/%m/")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("allegato di una richiesta")
        verbose_name_plural = _("allegati delle richieste")

    def __str__(self) -> str:
        return self.filename


class CredentialIssue(models.Model):
    """One issuance of credentials, with the identity check that preceded it.

    The temporary password is never stored here: only its hash, on the user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credential_issues"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("persona")
    )
    channel = models.CharField(_("canale"), max_length=10, choices=RequestChannel.choices)
    request = models.ForeignKey(
        CredentialRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        verbose_name=_("richiesta"),
    )
    document_type = models.CharField(
        _("documento di riconoscimento"), max_length=20, choices=IdentityDocument.choices
    )
    document_number = models.CharField(_("numero del documento"), max_length=30)
    document_issuer = models.CharField(_("rilasciato da"), max_length=120)
    document_expiry = models.DateField(_("scadenza del documento"))
    office = models.ForeignKey(
        "core.Office",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ufficio"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rilasciate da"),
    )
    issued_at = models.DateTimeField(_("rilasciate il"), default=timezone.now)
    password_expires_at = models.DateTimeField(_("scadenza della password temporanea"))

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("rilascio di credenziali")
        verbose_name_plural = _("rilasci di credenziali")

    def __str__(self) -> str:
        return f"{self.person} {self.issued_at:%d/%m/%Y}"


class RevocationChannel(models.TextChoices):
    ONLINE = "online", _("Dal cittadino, online")
    FAX = "fax", _("Segnalazione via fax")
    EMAIL = "email", _("Segnalazione via e-mail")
    IN_PERSON = "in_person", _("Di persona allo sportello")


class Revocation(models.Model):
    """Credentials revoked after a loss or theft: they never log in again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="revocations"
    )
    channel = models.CharField(_("canale"), max_length=10, choices=RevocationChannel.choices)
    report = models.TextField(_("segnalazione"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registrata da"),
    )
    revoked_at = models.DateTimeField(_("revocate il"), default=timezone.now)

    class Meta:
        ordering = ["-revoked_at"]
        verbose_name = _("revoca di credenziali")
        verbose_name_plural = _("revoche di credenziali")

    def __str__(self) -> str:
        return f"{self.user} {self.revoked_at:%d/%m/%Y}"


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("Nome utente e password")
    SMARTCARD = "smartcard", _("Carta (CIE, CNS, Tessera Sanitaria)")
    SPID = "spid", _("SPID")
    CIE = "cie", _("CIE ID (Carta d'identità elettronica)")


class UserSession(models.Model):
    """A session a user has open, so they can see where they are logged in and end them all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="open_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    method = models.CharField(_("modalità di accesso"), max_length=20)
    created_at = models.DateTimeField(_("inizio"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("ultima attività"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("indirizzo IP"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=250, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("sessione attiva")
        verbose_name_plural = _("sessioni attive")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%d/%m/%Y %H:%M}"


class DigitalIdentity(models.Model):
    """A codice fiscale that logged in with SPID or CIE ID, and the account it opens.

    Residents are linked to their registry person's account (the same one a counter credential or
    a smart card opens); a codice fiscale that is not in the registry gets an account of its own,
    with no person, that sees only what concerns it. One row per codice fiscale: never two
    accounts for one person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digital_identities"
    )
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, unique=True)
    first_login_at = models.DateTimeField(_("primo accesso"), default=timezone.now)
    last_login_at = models.DateTimeField(_("ultimo accesso"), default=timezone.now)
    last_method = models.CharField(
        _("ultima modalità"), max_length=20, choices=LoginMethod.choices, blank=True
    )
    last_identity_provider = models.CharField(_("ultimo gestore d'identità"), max_length=250)

    class Meta:
        verbose_name = _("identità digitale")
        verbose_name_plural = _("identità digitali")

    def __str__(self) -> str:
        return self.codice_fiscale


class SamlRequest(models.Model):
    """An AuthnRequest sent to an identity provider and waiting for its response.

    Its id is the InResponseTo the response must carry; `answered_at` is set once, atomically,
    so a response is accepted at most once per request. Rows are deleted by a periodic task.
    """

    request_id = models.CharField(max_length=100, unique=True)
    protocol = models.CharField(max_length=10, choices=LoginMethod.choices)
    identity_provider = models.CharField(max_length=250)
    level = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField()
    next_url = models.CharField(max_length=500, blank=True)
    relay_state = models.CharField(max_length=64, unique=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("richiesta di autenticazione")
        verbose_name_plural = _("richieste di autenticazione")

    def __str__(self) -> str:
        return self.request_id


class SamlAssertion(models.Model):
    """An assertion already used to log in: the same assertion is never accepted twice."""

    assertion_id = models.CharField(max_length=100)
    identity_provider = models.CharField(max_length=250)
    used_at = models.DateTimeField(default=timezone.now)
    not_on_or_after = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "assertion_id"], name="saml_assertion_once"
            )
        ]
        verbose_name = _("asserzione usata")
        verbose_name_plural = _("asserzioni usate")

    def __str__(self) -> str:
        return self.assertion_id
