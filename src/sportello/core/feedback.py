"""The rating at the end of every citizen service (Designers Italia's Modello Comuni): stars
from one to five, then what went well (four or five) or badly (one to three), and a comment.
Two small forms that work without JavaScript; the answers are anonymous."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from sportello.core.models import FeedbackRating, ServiceFeedback

POSITIVE = [
    ("instructions", _("Le indicazioni erano chiare")),
    ("easy", _("Il servizio era facile da usare")),
    ("fast", _("Ho fatto tutto in poco tempo")),
    ("other", _("Altro")),
]
NEGATIVE = [
    ("instructions", _("Le indicazioni non erano chiare")),
    ("hard", _("Il servizio era difficile da usare")),
    ("slow", _("Ci ho messo troppo tempo")),
    ("other", _("Altro")),
]
SALT = "sportello.feedback"


class RatingForm(forms.Form):
    service = forms.SlugField(widget=forms.HiddenInput, max_length=60)
    rating = forms.TypedChoiceField(
        label=_("Quanto è stato facile usare questo servizio?"),
        choices=FeedbackRating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )


class DetailForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    aspect = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Vuoi aggiungere qualcosa? (facoltativo)"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
        help_text=_("Non scrivere dati personali: la valutazione è anonima."),
    )

    def __init__(self, *args, positive: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aspect"].choices = POSITIVE if positive else NEGATIVE
        self.fields["aspect"].label = (
            _("Quali sono stati gli aspetti che hai preferito?")
            if positive
            else _("Dove hai incontrato le maggiori difficoltà?")
        )


def feedback_record(*, service: str, rating: int) -> ServiceFeedback:
    return ServiceFeedback.objects.create(service=service, rating=rating)


def feedback_token(feedback: ServiceFeedback) -> str:
    """Lets the second step complete this rating (and no other), for a day."""
    return signing.dumps(feedback.pk, salt=SALT)


def feedback_from_token(token: str) -> ServiceFeedback | None:
    try:
        pk = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature:
        return None
    return ServiceFeedback.objects.filter(pk=pk, comment="", aspect="").first()


def feedback_complete(*, feedback: ServiceFeedback, aspect: str, comment: str) -> None:
    feedback.aspect = aspect
    feedback.comment = " ".join(comment.split())[:200]
    feedback.save(update_fields=["aspect", "comment"])


def feedback_counts(queryset=None) -> list[dict]:
    """For operators: per service, how many ratings, their average, and how many of each star."""
    queryset = ServiceFeedback.objects.all() if queryset is None else queryset
    rows = (
        queryset.order_by()
        .values("service")
        .annotate(
            total=Count("pk"),
            average=Avg("rating"),
            **{f"stars_{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
        )
        .order_by("service")
    )
    return [
        {
            "service": row["service"],
            "total": row["total"],
            "average": row["average"],
            "by_stars": [row[f"stars_{n}"] for n in range(1, 6)],
        }
        for row in rows
    ]
