"""Form helpers shared by every app: Bootstrap Italia classes and accessible error wiring."""

from __future__ import annotations

from typing import Any

from django import forms


class AccessibleFormMixin:
    """Widgets get Bootstrap Italia's classes; a field in error is marked aria-invalid and points
    (aria-describedby) at its help text and its error, which screen readers then read out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
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
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
            auto_id = self[name].auto_id  # type: ignore[index]
            attrs["aria-invalid"] = "true"
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {auto_id}-error".strip()
