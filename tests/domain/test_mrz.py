"""Machine-readable zones (issue 27, first part): ICAO 9303's own specimens read right, and a generated set built to
ICAO 9303 (random names, numbers and dates in all three formats) passes every check, while each sample with one
check digit broken is caught: 100 % both ways, or the test fails."""

from __future__ import annotations

import random
from datetime import date

import pytest

from emsync_desktop.domain.mrz import MrzFormat, MrzProblem, check_digit, mrz_date, parse_mrz

# ICAO Doc 9303 part 4 (TD3), part 5 (TD1) and part 6 (TD2) specimens: Anna Maria Eriksson of Utopia.
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"


@pytest.mark.parametrize(("text", "fmt", "number"), [(TD3, MrzFormat.TD3, "L898902C3"),
                                                     (TD1, MrzFormat.TD1, "D23145890"),
                                                     (TD2, MrzFormat.TD2, "D23145890")])
def test_icao_specimens_read_with_every_check_holding(text: str, fmt: MrzFormat, number: str) -> None:
    mrz = parse_mrz(text)
    assert (mrz.format, mrz.surname, mrz.given_names, mrz.issuing_state) == (fmt, "ERIKSSON", "ANNA MARIA", "UTO")
    assert (mrz.document_number.value, mrz.birth_date.value, mrz.sex, mrz.expiry_date.value) == (
        number, "740812", "F", "120415")
    assert mrz.valid and mrz.failed_checks() == []


def test_the_check_digit_is_icaos_worked_example() -> None:
    assert check_digit("520727") == "3"  # ICAO 9303 part 3, 4.9: 5x7 + 2x3 + 0x1 + 7x7 + 2x3 + 7x1 = 103


def test_ocr_look_alikes_in_digit_fields_are_corrected_and_said() -> None:
    mrz = parse_mrz(TD3.replace("7408122F", "74O8122F"))
    assert mrz.valid and mrz.birth_date.value == "740812" and mrz.corrections == ("date of birth: read '74O8122' as "
                                                                                  "'7408122'",)


def test_a_wrong_shape_or_character_is_refused_in_words() -> None:
    with pytest.raises(MrzProblem, match="2 of 44"):
        parse_mrz("P<UTOERIKSSON<<ANNA\nL898902C36UTO")
    with pytest.raises(MrzProblem, match="only A-Z, 0-9 and <"):
        parse_mrz(TD3.replace("ZE184226B", "ZE18-226B"))


def test_dates_take_the_century_that_makes_sense() -> None:
    today = date(2026, 12, 6)
    assert mrz_date("740812", today=today, future=False) == date(1974, 8, 12)
    assert mrz_date("210101", today=today, future=False) == date(2021, 1, 1)
    assert mrz_date("301231", today=today, future=True) == date(2030, 12, 31)
    assert mrz_date("991399", today=today, future=False) is None


def _field(rng: random.Random, n: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def generated(rng: random.Random, fmt: MrzFormat) -> str:
    """A zone built to ICAO 9303 with random contents and correct check digits."""
    letters, alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    number = _field(rng, 9, alnum)
    birth = f"{rng.randrange(100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    expiry = f"{rng.randrange(100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    state, sex = rng.choice(["IND", "UTO", "D<<", "GBR", "ARE"]), rng.choice("FM<")
    names = f"{_field(rng, rng.randrange(2, 12), letters)}<<{_field(rng, rng.randrange(2, 10), letters)}"
    if fmt is MrzFormat.TD3:
        personal = _field(rng, 14, alnum + "<")
        two = number + check_digit(number) + state + birth + check_digit(birth) + sex + expiry + check_digit(expiry) \
            + personal + check_digit(personal)
        return f"P<{state}{names:<<39}"[:44].ljust(44, "<") + "\n" + two + check_digit(
            two[0:10] + two[13:20] + two[21:43])
    if fmt is MrzFormat.TD2:
        two = number + check_digit(number) + state + birth + check_digit(birth) + sex + expiry + check_digit(expiry) \
            + "<" * 7
        return f"I<{state}{names}"[:36].ljust(36, "<") + "\n" + two + check_digit(two[0:10] + two[13:20] + two[21:35])
    one = f"I<{state}{number}{check_digit(number)}" + "<" * 15
    two = birth + check_digit(birth) + sex + expiry + check_digit(expiry) + state + "<" * 11
    return one + "\n" + two + check_digit(one[5:30] + two[0:7] + two[8:15] + two[18:29]) + "\n" + names[:30].ljust(
        30, "<")


def _broken(text: str, fmt: MrzFormat, rng: random.Random) -> str:
    """One check digit (document number, birth, expiry or composite) replaced by another digit."""
    lines = text.split("\n")
    spots = {MrzFormat.TD3: [(1, 9), (1, 19), (1, 27), (1, 43)], MrzFormat.TD2: [(1, 9), (1, 19), (1, 27), (1, 35)],
             MrzFormat.TD1: [(0, 14), (1, 6), (1, 14), (1, 29)]}[fmt]
    line, col = rng.choice(spots)
    old = lines[line][col]
    new = rng.choice([d for d in "0123456789" if d != old])
    lines[line] = lines[line][:col] + new + lines[line][col + 1:]
    return "\n".join(lines)


@pytest.mark.parametrize("fmt", list(MrzFormat))
def test_a_thousand_generated_zones_pass_and_every_broken_check_digit_is_caught(fmt: MrzFormat) -> None:
    rng = random.Random(9303)
    for _ in range(1000):
        text = generated(rng, fmt)
        assert parse_mrz(text).valid, text
        broken = parse_mrz(_broken(text, fmt, rng))
        assert not broken.valid and broken.failed_checks(), text
