"""Every page declares who may open it (public, logged in, certified citizen, operator), so a
new page cannot become reachable by accident: forgetting the declaration fails here."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

from sportello.core.access import LEVELS, access_of

# Django's own views, protected by Django: the back-office and the language switch.
FRAMEWORK_NAMESPACES = {"admin"}
FRAMEWORK_NAMES = {"set_language", "backoffice_login"}


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in FRAMEWORK_NAMESPACES:
                continue
            yield from _patterns(entry, inner)
        elif entry.name not in FRAMEWORK_NAMES:
            yield (f"{namespace}:{entry.name}" if namespace else str(entry.name)), entry


def test_every_page_declares_its_access_level() -> None:
    undeclared = [
        name
        for name, pattern in _patterns(get_resolver())
        if access_of(pattern.callback) not in LEVELS
    ]

    assert undeclared == []


def test_the_levels_are_the_expected_ones() -> None:
    levels = {name: access_of(pattern.callback) for name, pattern in _patterns(get_resolver())}

    assert levels["core:home"] == "public"
    assert levels["accounts:login"] == "public"
    assert levels["registry:my_data"] == "certified"
    assert levels["accounts:revoke_own"] == "certified"
    assert levels["accounts:account"] == "authenticated"
    assert levels["accounts:operator_person"] == "operator"
    assert levels["accounts:operator_requests"] == "operator"
