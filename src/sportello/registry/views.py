"""Citizens' own registry pages (certified services): the visura and reporting an error."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sportello.core.decorators import certified_required
from sportello.core.exceptions import ApplicationError
from sportello.core.pending_forms import pending_form_initial
from sportello.core.summary import SummaryRow, summary_hidden_fields, summary_step
from sportello.registry.forms import CorrectionRequestForm
from sportello.registry.models import CorrectionTopic
from sportello.registry.selectors import person_visura
from sportello.registry.services.corrections import correction_request_create


@certified_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The citizen's own registry data and family (the padlock service "I miei dati")."""
    return render(
        request, "registry/my_data.html", {"visura": person_visura(person=request.user.person)}
    )


@certified_required
def correction_new(request: HttpRequest) -> HttpResponse:
    """ "Segnala un errore": the citizen tells the registry office what is wrong in their data."""
    step = summary_step(request)
    if request.method == "POST":
        form = CorrectionRequestForm(request.POST)
        if step == "summary" and form.is_valid():
            return render(
                request,
                "registry/correction_summary.html",
                {
                    "rows": [
                        SummaryRow(
                            _("Dato sbagliato"),
                            dict(form.fields["topic"].choices)[form.cleaned_data["topic"]],
                        ),
                        SummaryRow(_("Che cosa è sbagliato"), form.cleaned_data["text"]),
                        SummaryRow(_("Inviata a"), _("Ufficio anagrafe")),
                    ],
                    "cost": _("Nessuno"),
                    "hidden": summary_hidden_fields(form),
                },
            )
        if step == "confirm" and form.is_valid():
            try:
                correction_request_create(
                    person=request.user.person,
                    author=request.user,
                    topic=form.cleaned_data["topic"],
                    text=form.cleaned_data["text"],
                )
            except ApplicationError as error:
                field = error.extra.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Segnalazione inviata all'ufficio anagrafe. Ti scriveremo quando "
                        "cambia il suo stato; intanto puoi seguirla da questa pagina."
                    ),
                )
                return redirect(reverse("registry:my_data") + "#segnalazioni")
    else:
        topic = request.GET.get("dato", "")
        restored = pending_form_initial(request=request)
        form = CorrectionRequestForm(
            initial=restored or {"topic": topic if topic in CorrectionTopic.values else ""}
        )
    return render(request, "registry/correction_new.html", {"form": form})
