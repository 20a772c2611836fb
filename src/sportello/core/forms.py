"""Form helpers shared by every app: Bootstrap Italia classes and accessible error wiring."""

from __future__ import annotations

from typing import Any

from django import forms


class AccessibleFormMixin:
    """Widgets get Bootstrap Italia's classes; a field in error is marked aria-invalid and points
    (aria-describedby) at its help text and its error, which screen readers then read out."""

    # The person's own data is filled in by the browser (WCAG 1.3.5): the autocomplete token
    # for each field name. Off in forms where an operator types someone else's data.
    autocomplete_own_data = True
    AUTOCOMPLETE = {
        "first_name": "given-name",
        "last_name": "family-name",
        "email": "email",
        "phone": "tel",
        "mobile": "tel",
        "landline": "tel",
        "fax": "tel",
        "address": "street-address",
        "address_detail": "address-line2",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if name in self.AUTOCOMPLETE and not isinstance(widget, forms.HiddenInput):
                if self.autocomplete_own_data:
                    widget.attrs.setdefault("autocomplete", self.AUTOCOMPLETE[name])
                else:
                    widget.attrs["autocomplete"] = "off"
            if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                # The id the bound field will have, without creating the bound field yet: it
                # would copy a help text that a subclass's __init__ still means to complete.
                auto_id = self.auto_id % self.add_prefix(name) if self.auto_id else name  # type: ignore[attr-defined]
                widget.attrs["aria-describedby"] = f"{auto_id}-help"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._errors_mark()

    def add_error(self, field: Any, error: Any) -> None:
        # Errors added by a view after is_valid() (a wrong code, a service's refusal) are tied
        # to their field too, with the same id as the message (`id_code-error`).
        super().add_error(field, error)  # type: ignore[misc]
        if getattr(self, "cleaned_data", None) is not None:
            self._errors_mark()

    def _errors_mark(self) -> None:
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
            auto_id = self[name].auto_id  # type: ignore[index]
            attrs["aria-invalid"] = "true"
            described = attrs.get("aria-describedby", "").split()
            if f"{auto_id}-error" not in described:
                described.append(f"{auto_id}-error")
            attrs["aria-describedby"] = " ".join(described)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(id to link, label, message) for every error, in the order of the fields."""
        summary = [("", "", str(message)) for message in self.non_field_errors()]  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            for message in self.errors.get(name, []):  # type: ignore[attr-defined]
                summary.append((self[name].auto_id, str(field.label or ""), str(message)))  # type: ignore[index]
        return summary
