"""Zones as OCR reads them (issue 27): 3,000 generated zones read back exactly; with a broken check digit, not one
is passed off as checked (100 % both ways, or the test fails)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from emsync_desktop.domain.card_fields import read_card
from emsync_desktop.domain.card_reading import CardField
from emsync_desktop.domain.mrz_ocr import look_alike_reading
from tests.domain.card_lines import zone_lines
from tests.intake.card_set import td1_zone, td3_zone

TODAY = date(2026, 12, 1)
_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _zone(rng: random.Random) -> tuple[str, str]:
    number = "".join(rng.choice(_CHARS) for _ in range(9))
    born = date(1930, 1, 1) + timedelta(days=rng.randrange(33000))
    expiry = TODAY + timedelta(days=rng.randrange(1, 3650))
    make = rng.choice([td1_zone, td3_zone])
    return make(number, born, rng.choice("MF"), expiry, rng.choice(["NAIR", "O NEILL", "DA SILVA"]),
                rng.choice(["ANNA", "JOSE MARIA"])), number


def _number_digit(zone: str) -> tuple[int, int]:
    """(line, position) of the document number's check digit."""
    return (0, 14) if len(zone.splitlines()) == 3 else (1, 9)


def test_generated_zones_read_back_exactly_and_checked() -> None:
    rng = random.Random(27)
    for _ in range(3000):
        zone, number = _zone(rng)
        reading = read_card(zone_lines(zone), [], today=TODAY)
        assert reading.zone_valid and reading.zone_text == zone
        assert reading.get(CardField.ID_NUMBER).value == number  # type: ignore[union-attr]
        assert reading.get(CardField.ID_NUMBER).flag is None  # type: ignore[union-attr]


def test_no_zone_with_a_broken_number_check_digit_passes_unflagged() -> None:
    rng = random.Random(2027)
    for _ in range(3000):
        zone, _ = _zone(rng)
        lines = zone.splitlines()
        row, at = _number_digit(zone)
        lines[row] = lines[row][:at] + str((int(lines[row][at]) + rng.randint(1, 9)) % 10) + lines[row][at + 1:]
        proposal = read_card(zone_lines("\n".join(lines)), [], today=TODAY).get(CardField.ID_NUMBER)
        assert proposal is not None and proposal.flag is not None


def test_a_look_alike_reading_is_taken_only_when_it_is_the_only_one() -> None:
    assert look_alike_reading("L8989O2C3", "6") == "L898902C3"
    assert look_alike_reading("12345678", "0") is None  # no look-alike characters to try
