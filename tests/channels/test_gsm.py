"""SMS encoding and parts, against 3GPP TS 23.038 (the GSM 7-bit alphabet and its extension
table) and the limits handsets apply: 160/153 septets, 70/67 UTF-16 code units."""

from __future__ import annotations

import pytest

from sportello.channels.gsm import (
    GSM_BASIC,
    GSM_EXTENSION,
    gsm_decode,
    gsm_encode,
    sms_encode,
    sms_encoding,
    sms_length,
    sms_segment_count,
    sms_segments,
)

FIRE_ENGINE = "\U0001f692"  # outside the BMP: a surrogate pair in UTF-16


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Allerta meteo: scuole chiuse.", "GSM-7"),
        ("è é ù ì ò à Ç É ñ ü ß Ø Δ ¿ ¡ § £ ¥ ¤", "GSM-7"),
        ("Costo 0,10 € [24h] {ok} ~ ^ | \\", "GSM-7"),
        ("È vietato", "UCS-2"),  # capital E grave is not in the alphabet
        ("ç", "UCS-2"),  # only the capital C cedilla is
        ("l’allerta", "UCS-2"),  # a typographic apostrophe
        ("`", "UCS-2"),
        ("\x1b", "UCS-2"),  # the escape itself is not a character
        (f"Pompieri {FIRE_ENGINE}", "UCS-2"),
        ("", "GSM-7"),
    ],
)
def test_the_encoding_is_gsm_7_only_when_every_character_is_in_the_alphabet(
    text: str, encoding: str
) -> None:
    assert sms_encoding(text) == encoding


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("@", 0x00),
        ("£", 0x01),
        ("$", 0x02),
        ("è", 0x04),
        ("ò", 0x08),
        ("Ç", 0x09),
        ("\n", 0x0A),
        ("\r", 0x0D),
        ("Δ", 0x10),
        ("_", 0x11),
        ("Ξ", 0x1A),
        ("É", 0x1F),
        (" ", 0x20),
        ("¤", 0x24),
        ("¡", 0x40),
        ("Z", 0x5A),
        ("Ü", 0x5E),
        ("§", 0x5F),
        ("¿", 0x60),
        ("ü", 0x7E),
        ("à", 0x7F),
    ],
)
def test_the_default_alphabet_has_the_standard_codes(char: str, code: int) -> None:
    assert gsm_encode(char) == bytes([code])


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\f", 0x0A),
        ("^", 0x14),
        ("{", 0x28),
        ("}", 0x29),
        ("\\", 0x2F),
        ("[", 0x3C),
        ("~", 0x3D),
        ("]", 0x3E),
        ("|", 0x40),
        ("€", 0x65),
    ],
)
def test_extension_characters_are_escaped_and_count_twice(char: str, code: int) -> None:
    assert gsm_encode(char) == bytes([0x1B, code])
    assert sms_length(char) == 2


def test_the_tables_cover_127_characters_and_ten_extensions_both_ways() -> None:
    assert len(GSM_BASIC) == 127 and len(set(GSM_BASIC.values())) == 127
    assert 0x1B not in GSM_BASIC.values()
    every = "".join(GSM_BASIC) + "".join(GSM_EXTENSION)
    assert len(GSM_EXTENSION) == 10
    assert gsm_decode(gsm_encode(every)) == every


def test_a_character_outside_the_alphabet_cannot_be_encoded_in_it() -> None:
    with pytest.raises(ValueError, match="not in the GSM 7-bit alphabet"):
        gsm_encode("È")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # 160 septets
        ("€" * 80 + "a", 2),  # 161
        ("a" * 159 + "€", 2),  # the escape would be the 161st septet
        ("È" * 70, 1),
        ("È" * 71, 2),
        ("È" * 134, 2),
        ("È" * 135, 3),
        (FIRE_ENGINE * 35, 1),  # 70 code units
        (FIRE_ENGINE * 36, 2),
        ("a" * 159 + "È", 3),  # one UCS-2 character makes it all UCS-2: 160 units
        ("", 1),
    ],
)
def test_segment_counts_follow_the_single_and_concatenated_limits(text: str, parts: int) -> None:
    assert sms_segment_count(text) == parts
    assert "".join(sms_segments(text)) == text


def test_a_gsm_part_never_ends_inside_an_escape_sequence() -> None:
    text = "a" * 152 + "€" + "b" * 10

    first, second = sms_segments(text)

    assert first == "a" * 152  # 152 septets: the € (two) would make 154
    assert second == "€" + "b" * 10
    _, encoded = sms_encode(text)
    assert [len(part) for part in encoded] == [152, 12]
    assert encoded[1][:2] == b"\x1b\x65"


def test_a_gsm_part_is_filled_to_153_septets() -> None:
    text = "a" * 151 + "€" + "c" * 20

    first, second = sms_segments(text)

    assert first == "a" * 151 + "€"
    assert sms_length(first) == 153


def test_a_ucs2_part_never_splits_a_surrogate_pair() -> None:
    text = "È" * 66 + FIRE_ENGINE * 3

    first, second = sms_segments(text)

    assert first == "È" * 66  # 66 units: the pair would make 68
    assert second == FIRE_ENGINE * 3
    encoding, encoded = sms_encode(text)
    assert encoding == "UCS-2"
    assert [len(part) for part in encoded] == [132, 12]
    assert all(part.decode("utf-16-be") for part in encoded)


def test_ucs2_counts_utf16_code_units() -> None:
    assert sms_length("È" * 66 + FIRE_ENGINE * 2) == 70
    assert sms_segment_count("È" * 66 + FIRE_ENGINE * 2) == 1
    assert [len(part) for part in sms_segments(FIRE_ENGINE * 36)] == [33, 3]


def test_every_encoded_part_fits_a_message_with_its_header() -> None:
    for text in ("Allerta € [meteo] " * 40, "Allerta È 🚒 " * 40):
        encoding, parts = sms_encode(text)
        limit = 153 if encoding == "GSM-7" else 134  # octets after the 6-octet header
        assert len(parts) > 1
        assert all(len(part) <= limit for part in parts)


def test_a_text_needing_more_than_255_parts_cannot_be_sent() -> None:
    with pytest.raises(ValueError, match="al massimo 255"):
        sms_encode("a" * 153 * 256)
