"""Codice avviso and IUV as pagoPA specifies them: aux digit 3, the comune's segregation code,
a 13-digit base and two check digits that are the remainder mod 93 of the first 16 digits."""

from __future__ import annotations

import pytest

from sportello.payments.codes import (
    iuv_make,
    iuvs_draw,
    notice_number_display,
    notice_number_of,
    notice_number_valid,
)
from sportello.payments.models import PaymentOption

from .conftest import Household, make_position

# Transactions commit as in production: publication and hooks run after the commit.
pytestmark = pytest.mark.django_db(transaction=True)


def rule_holds(notice_number: str, segregation_code: str) -> bool:
    """The rule, written out: 18 digits, 3, the segregation code, check = first 16 mod 93."""
    return (
        len(notice_number) == 18
        and notice_number.isdigit()
        and notice_number[0] == "3"
        and notice_number[1:3] == segregation_code
        and int(notice_number[16:]) == int(notice_number[:16]) % 93
    )


def test_check_digits_follow_the_mod_93_rule() -> None:
    iuv = iuv_make(segregation_code="47", base="0000000012345")
    assert iuv == "470000000012345" + f"{3470000000012345 % 93:02d}"
    assert notice_number_of(iuv) == "3" + iuv
    assert rule_holds(notice_number_of(iuv), "47")
    assert notice_number_valid(notice_number_of(iuv))


def test_a_wrong_check_digit_or_aux_digit_is_not_a_notice_number() -> None:
    good = notice_number_of(iuv_make(segregation_code="01", base="9999999999999"))
    wrong_check = good[:16] + f"{(int(good[16:]) + 1) % 100:02d}"
    assert not notice_number_valid(wrong_check)
    assert not notice_number_valid("0" + good[1:])
    assert not notice_number_valid(good[:17])
    assert not notice_number_valid("3" + "x" * 17)


def test_the_notice_number_is_printed_in_groups_of_four() -> None:
    assert notice_number_display("347000000001234567") == "3470 0000 0001 2345 67"


def test_drawn_iuvs_are_distinct_and_skip_those_in_use() -> None:
    used: set[str] = set()
    rounds = []

    def taken(candidates):
        # In the first round, three candidates are "already in use" elsewhere.
        candidates = list(candidates)
        rounds.append(len(candidates))
        if len(rounds) > 1:
            return set()
        used.update(candidates[:3])
        return set(candidates[:3])

    iuvs = iuvs_draw(500, segregation_code="47", taken=taken)
    assert len(iuvs) == 500 == len(set(iuvs))
    assert not used & set(iuvs)
    assert rounds == [500, 3]
    assert all(rule_holds(notice_number_of(iuv), "47") for iuv in iuvs)


def test_every_option_of_a_position_gets_its_own_valid_code(household: Household) -> None:
    position = make_position(household.tommaso, amount="90.00", instalments=("30.00",) * 3)
    options = list(position.options.order_by("instalment"))
    assert [option.instalment for option in options] == [0, 1, 2, 3]
    assert len({option.notice_number for option in options}) == 4
    for option in options:
        assert rule_holds(option.notice_number, "47")
        assert option.notice_number == "3" + option.iuv
    assert PaymentOption.objects.count() == 4
