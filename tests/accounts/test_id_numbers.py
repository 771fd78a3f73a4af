"""GB 11643 ID card numbers (R-4.2.2.5)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from metrology.accounts.id_numbers import check_character, mask_id_number, validate_id_number

VALID = "11010519491231002X"  # the standard's own example


def test_the_standards_example_is_valid():
    validate_id_number(VALID)
    validate_id_number(VALID.lower())


def test_check_character_follows_iso_7064_mod_11_2():
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


@pytest.mark.parametrize(
    "number, code",
    [
        ("110105194912310021", "id_check_digit"),
        ("11010519491231002", "id_length"),
        ("1101051949123100A2", "id_characters"),
        ("110105194913310023", "id_birth_date"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(number, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == code


def test_wrong_check_digit_message_names_the_right_one():
    with pytest.raises(ValidationError) as caught:
        validate_id_number("110105194912310021")
    assert "X" in caught.value.messages[0]


def test_mask_keeps_only_the_first_three_and_last_four():
    assert mask_id_number(VALID) == "110***********002X"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_full_width_digits_are_the_same_number(make_person):
    """#8: `１１０１０５…` was accepted as a new person holding an existing ID number."""
    from metrology.accounts.services.people import person_create

    make_person("first", "甲", id_number=VALID)
    full_width = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    with pytest.raises(ValidationError) as caught:
        person_create(actor=None, username="second", password="Kexue-Jiliang-9", name="乙", id_number=full_width)
    assert "id_number" in caught.value.message_dict


def test_a_full_width_number_is_stored_in_ascii(make_person):
    full_width = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert make_person("first", "甲", id_number=full_width).id_number == VALID


def test_other_scripts_digits_are_refused():
    with pytest.raises(ValidationError):
        validate_id_number("١" + VALID[1:])
