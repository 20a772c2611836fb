"""Counter operators' screens: find a person, check identity, issue or revoke credentials, and
work the queue of requests that arrived by PEC or through the online form."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sportello.accounts import services
from sportello.accounts.forms import (
    CloseRequestForm,
    IssueForm,
    OperatorRevokeForm,
    PersonSearchForm,
)
from sportello.accounts.letters import credential_letter_pdf, credential_letter_send_by_pec
from sportello.accounts.models import (
    CredentialIssue,
    CredentialRequest,
    CredentialRequestFile,
    RequestChannel,
    RequestStatus,
    User,
)
from sportello.core.decorators import login_required, operator_required
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.registry.codice_fiscale import codice_fiscale_normalize
from sportello.registry.models import Person

ISSUE = "accounts.add_credentialissue"


SEARCH_PAGE_SIZE = 25


def _search_persons(query: str):
    """Everyone who matches (a queryset): the page shows them 25 at a time, and the count is
    the true one."""
    code = codice_fiscale_normalize(query)
    if len(code) == 16 and code.isalnum():
        return Person.objects.filter(codice_fiscale=code).order_by("pk")
    words = query.split()
    persons = Person.objects.filter(date_of_death__isnull=True)
    for word in words:
        persons = persons.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    return persons.order_by("last_name", "first_name", "birth_date", "pk")


@login_required
def operator_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_staff:  # citizens have their own area
        return redirect("accounts:account")
    return render(
        request,
        "accounts/operator/home.html",
        {
            "can_issue": user.has_perm(ISSUE),
            "pending": CredentialRequest.objects.filter(status=RequestStatus.PENDING).count()
            if user.has_perm(ISSUE)
            else 0,
        },
    )


@operator_required(ISSUE)
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    results = page = None
    total = 0
    if form.is_valid():
        matches = _search_persons(form.cleaned_data["q"])
        page = Paginator(matches, SEARCH_PAGE_SIZE).get_page(request.GET.get("pagina"))
        results, total = list(page.object_list), page.paginator.count
        audit_record(
            action="person_search",
            request=request,
            detail={"results": total, "page": page.number},
        )
    return render(
        request,
        "accounts/operator/search.html",
        {
            "form": form,
            "results": results,
            "total": total,
            "page": page,
            "extra": urlencode(
                {"q": form.data.get("q", "")}
                | ({"richiesta": request.GET["richiesta"]} if request.GET.get("richiesta") else {})
            ),
            "request_id": request.GET.get("richiesta", ""),
            "local_citizen_credentials": settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS,
        },
    )


@never_cache
@operator_required(ISSUE)
def person_credentials(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person: their account's state, the issue form and the revoke form."""
    person = get_object_or_404(Person, pk=person_id)
    account = User.objects.filter(person=person).first()
    credential_request = None
    if request.GET.get("richiesta") or request.POST.get("richiesta"):
        credential_request = CredentialRequest.objects.filter(
            pk=request.GET.get("richiesta") or request.POST.get("richiesta"),
            status=RequestStatus.PENDING,
        ).first()
    audit_record(action="person_viewed", target=person, request=request)
    by_pec = credential_request is not None and credential_request.channel == RequestChannel.PEC
    issue_form = IssueForm(request.POST or None, prefix="issue", by_pec=by_pec)
    if request.method == "POST" and issue_form.is_valid():
        channel = credential_request.channel if credential_request else RequestChannel.COUNTER
        login_url = request.build_absolute_uri(reverse("accounts:login"))
        try:
            with transaction.atomic():
                issued = services.credentials_issue(
                    person=person,
                    operator=request.user,
                    channel=channel,
                    request_obj=credential_request,
                    http_request=request,
                    **issue_form.cleaned_data,
                )
                pdf = credential_letter_pdf(issued=issued, login_url=login_url)
                sent_to = ""
                if credential_request and credential_request.certified_sender:
                    try:
                        credential_letter_send_by_pec(
                            issued=issued, pdf=pdf, to=credential_request.certified_sender
                        )
                    except OSError as error:
                        raise ApplicationError(
                            _(
                                "La PEC con le credenziali non è partita (%(error)s): nessuna "
                                "credenziale è stata rilasciata. Riprova tra qualche minuto."
                            )
                            % {"error": error.__class__.__name__}
                        ) from error
                    sent_to = credential_request.certified_sender
        except ApplicationError as error:
            if settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS:
                issue_form.add_error(None, error.message)
            else:  # the page no longer shows the issue form, so say it above everything
                messages.error(request, error.message)
        else:
            response = render(
                request,
                "accounts/operator/issued.html",
                {
                    "person": person,
                    "issued": issued,
                    "letter_data_uri": "data:application/pdf;base64,"
                    + base64.b64encode(pdf).decode(),
                    "letter_filename": f"credenziali-{person.codice_fiscale}.pdf",
                    "sent_to": sent_to,
                },
            )
            # The page carries the only copy of the temporary password: never cache it.
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "accounts/operator/person.html",
        {
            "person": person,
            "account": account,
            "issue_form": issue_form,
            "revoke_form": OperatorRevokeForm(prefix="revoke"),
            "issues": CredentialIssue.objects.filter(person=person).select_related(
                "issued_by", "office"
            )[:10],
            "credential_request": credential_request,
            "by_pec": by_pec,
            "local_citizen_credentials": settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS,
        },
    )


@operator_required("accounts.add_revocation")
def person_revoke(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    account = get_object_or_404(User, person=person)
    form = OperatorRevokeForm(request.POST or None, prefix="revoke")
    if request.method == "POST" and form.is_valid():
        try:
            services.credentials_revoke(
                user=account,
                channel=form.cleaned_data["channel"],
                report=form.cleaned_data["report"],
                recorded_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Credenziali di %(name)s revocate: tutte le sue sessioni sono state chiuse.")
                % {"name": f"{person.first_name} {person.last_name}"},
            )
            return redirect("accounts:operator_person", person_id=person.pk)
    return render(
        request,
        "accounts/operator/person.html",
        {
            "person": person,
            "account": account,
            "issue_form": IssueForm(prefix="issue"),
            "revoke_form": form,
            "issues": CredentialIssue.objects.filter(person=person)[:10],
            "local_citizen_credentials": settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS,
        },
        status=400 if request.method == "POST" else 200,
    )


@operator_required("accounts.view_credentialrequest")
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("stato", RequestStatus.PENDING)
    if status not in RequestStatus.values:
        status = RequestStatus.PENDING
    requests = CredentialRequest.objects.filter(status=status).select_related("person")[:200]
    counts = dict(
        CredentialRequest.objects.values_list("status").annotate(count=Count("pk")).order_by()
    )
    return render(
        request,
        "accounts/operator/requests.html",
        {
            "requests": requests,
            "status": status,
            # One number per tab: how many requests are in that state.
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in RequestStatus.choices
            ],
            "shown": len(requests),
            "total": counts.get(status, 0),
        },
    )


@operator_required("accounts.change_credentialrequest")
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    credential_request = get_object_or_404(CredentialRequest, pk=request_id)
    form = CloseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_request_close(
                credential_request=credential_request,
                operator=request.user,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Richiesta chiusa."))
            return redirect("accounts:operator_requests")
    audit_record(action="credential_request_viewed", target=credential_request, request=request)
    files = list(credential_request.files.all())
    return render(
        request,
        "accounts/operator/request.html",
        {"credential_request": credential_request, "form": form, "files": files},
    )


# Shown in the browser's own viewer; anything else is only downloaded.
_VIEWABLE = {"application/pdf", "image/jpeg", "image/png"}


@never_cache
@operator_required("accounts.change_credentialrequest")
def request_file(request: HttpRequest, request_id: int, file_id: int) -> HttpResponse:
    """One attachment of a PEC request, for the clerk to check (audited)."""
    request_file = get_object_or_404(
        CredentialRequestFile, pk=file_id, credential_request_id=request_id
    )
    viewable = request_file.content_type in _VIEWABLE
    response = FileResponse(
        services.credential_request_file_open(
            request_file=request_file, operator=request.user, request=request
        ),
        as_attachment=not viewable,
        filename=request_file.filename,
        content_type=request_file.content_type if viewable else "application/octet-stream",
    )
    # What a stranger sent runs nothing here: no script, no form, no plugin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
