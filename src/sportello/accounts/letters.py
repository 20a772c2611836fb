"""The credential letter: a one-page PDF (WeasyPrint) with the username and temporary password.

The PDF is made once, handed to the operator's browser, and never stored: it is the only place
where the temporary password appears.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sportello.accounts.services import IssuedCredentials
from sportello.core.mail import email_connection
from sportello.core.selectors import municipality_get, municipality_offices
from sportello.core.templatetags.portal import GENERIC_ARMS


def _coat_of_arms_uri(municipality) -> str:
    if municipality is not None and municipality.coat_of_arms:
        try:
            return "file://" + municipality.coat_of_arms.path
        except NotImplementedError:  # remote storage: fetch through its URL
            return municipality.coat_of_arms.url
    found = finders.find(GENERIC_ARMS)
    return "file://" + str(found) if found else ""


def credential_letter_pdf(*, issued: IssuedCredentials, login_url: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, needed only for PDFs

    municipality = municipality_get()
    offices = municipality_offices(municipality=municipality) if municipality else []
    person = issued.issue.person
    context = {
        "municipality": municipality,
        "coat_of_arms": _coat_of_arms_uri(municipality),
        "offices": [office for office in offices if office.issues_credentials],
        "person": person,
        "issued": issued,
        "issue": issued.issue,
        "login_url": login_url,
        "today": timezone.localdate(),
    }
    with translation.override("it"):
        html = render_to_string("accounts/letter.html", context)
    return HTML(string=html, base_url="/").write_pdf()


def _pec_connection():
    """The PEC provider's SMTP when configured, else the ordinary e-mail backend."""
    config = settings.SPORTELLO_PEC_SMTP
    if not config:
        return get_connection()
    return email_connection(config)


def credential_letter_send_by_pec(*, issued: IssuedCredentials, pdf: bytes, to: str) -> None:
    """Answer a PEC request with the letter attached, to the certified address it came from.

    Sent while the operator waits: if the PEC provider refuses it, the caller rolls the
    issuance back, so the citizen never holds credentials nobody told them about."""
    municipality = municipality_get()
    context = {"municipality": municipality, "issued": issued, "person": issued.issue.person}
    with translation.override("it"):
        subject = render_to_string("accounts/email/pec_credentials_subject.txt", context).strip()
        body = render_to_string("accounts/email/pec_credentials.txt", context)
    sender = municipality.pec_address if municipality and municipality.pec_address else None
    message = EmailMessage(subject, body, sender, [to], connection=_pec_connection())
    message.attach(f"credenziali-{issued.username}.pdf", pdf, "application/pdf")
    message.send()
