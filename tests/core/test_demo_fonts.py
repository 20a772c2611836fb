"""The demo's document copies are drawn with Titillium Web, which has the accented letters
(Pillow's default font drew «identit�»)."""

from __future__ import annotations

from sportello.documents.demo import specimen_font


def test_the_specimen_font_is_titillium_and_draws_accents() -> None:
    font = specimen_font("regular", 30)
    assert font.getname()[0] == "Titillium Web"
    left, _top, right, _bottom = font.getbbox("à")
    assert right - left > 0
    assert font.getmask("à").getbbox() != font.getmask("\ufffd").getbbox()
