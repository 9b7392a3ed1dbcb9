"""A generated set of card images with known fields (issue 27): ID cards with a TD1 zone, passport data pages with a
TD3 zone, Aadhaar-style cards (a Verhoeff-checked number and the older XML QR code) and health insurance cards.

Drawn with real fonts found on the machine (DejaVu, Noto, URW base35; Pillow's own Aileron when none is), then
photographed badly: placed on a desk, rotated up to 15°, lit unevenly, blurred and saved as a noisy JPEG. The same
seed gives the same card. The fields are what a perfect reader would propose, in the reader's normal form."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from stdnum import verhoeff

from emsync_desktop.domain.mrz import check_digit

_FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("C:/Windows/Fonts"),
              Path("/Library/Fonts"), Path("/System/Library/Fonts")]
_SANS = ["DejaVuSans.ttf", "DejaVuSansCondensed.ttf", "NimbusSans-Regular.otf", "DejaVuSerif.ttf",
         "P052-Roman.otf", "NotoSans-Regular.ttf", "arial.ttf", "Arial.ttf"]
_BOLD = ["DejaVuSans-Bold.ttf", "NimbusSans-Bold.otf", "DejaVuSerif-Bold.ttf", "arialbd.ttf"]
_MONO = ["DejaVuSansMono.ttf", "NotoSansMono-Regular.ttf", "NimbusMonoPS-Regular.otf", "cour.ttf"]

GIVEN = {"F": ["Maria", "Anjali", "Priya", "Fatima", "Elena", "Lakshmi", "Sara", "Meera", "Aisha", "Grace"],
         "M": ["Joseph", "Rahul", "Arjun", "Mohammed", "Thomas", "Vijay", "David", "Anil", "Karim", "Peter"]}
SURNAMES = ["Joseph", "Nair", "Menon", "Kurian", "Thomas", "Varghese", "Pillai", "Khan", "Mathew", "Iyer",
            "Fernandes", "Das", "George", "Rao", "Krishnan", "Abraham"]
STREETS = ["MG Road", "Marine Drive", "Palarivattom", "Kaloor", "Edappally", "Vyttila", "Fort Kochi", "Kakkanad"]
INSURERS = ["Star Health Insurance", "Niva Bupa Health", "Care Health Insurance", "National Insurance Co",
            "New India Assurance"]
KINDS = ("td1", "td3", "aadhaar", "insurance")


@dataclass(frozen=True)
class Card:
    kind: str
    image_jpeg: bytes
    fields: dict[str, str]  # what a perfect reader proposes: name, sex, date_of_birth, id_number, id_type, ...
    mrz: str = ""


def _find_font(names: list[str]) -> list[Path]:
    found = []
    for name in names:
        for folder in _FONT_DIRS:
            found.extend(folder.rglob(name) if folder.is_dir() else [])
    return found


def _font(paths: list[Path], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(paths[0]), size) if paths else ImageFont.load_default(size)


class _Fonts:
    def __init__(self, rng: random.Random) -> None:
        sans, bold, mono = _find_font(_SANS), _find_font(_BOLD), _find_font(_MONO)
        self.sans = [rng.choice(sans)] if sans else []
        self.bold = [rng.choice(bold)] if bold else []
        self.mono = [rng.choice(mono)] if mono else []

    def text(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.sans, size)

    def heading(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.bold or self.sans, size)

    def zone(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.mono, size)


def font_names() -> dict[str, list[str]]:
    """The fonts the set draws with on this machine (for BENCHMARKS.md)."""
    return {"text": [p.name for p in _find_font(_SANS)], "headings": [p.name for p in _find_font(_BOLD)],
            "zone": [p.name for p in _find_font(_MONO)]}


def _person(rng: random.Random, today: date) -> tuple[str, str, str, date]:
    sex = rng.choice("FM")
    dob = date(1935, 1, 1) + timedelta(days=rng.randrange((today - date(1935, 1, 1)).days - 365))
    return rng.choice(GIVEN[sex]), rng.choice(SURNAMES), sex, dob


def _mrz_name(surname: str, given: str, width: int) -> str:
    return (surname.upper().replace(" ", "<") + "<<" + given.upper().replace(" ", "<")).ljust(width, "<")[:width]


def td1_zone(number: str, dob: date, sex: str, expiry: date, surname: str, given: str, state: str = "UTO") -> str:
    """Three lines of 30, every check digit right (ICAO 9303 part 5)."""
    one = f"ID{state}{number}{check_digit(number)}".ljust(30, "<")
    birth, until = dob.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    two = f"{birth}{check_digit(birth)}{sex}{until}{check_digit(until)}{state}".ljust(29, "<")
    two += check_digit(one[5:30] + two[0:7] + two[8:15] + two[18:29])
    return "\n".join([one, two, _mrz_name(surname, given, 30)])


def td3_zone(number: str, dob: date, sex: str, expiry: date, surname: str, given: str, state: str = "UTO") -> str:
    """Two lines of 44, every check digit right (ICAO 9303 part 4)."""
    one = "P<" + state + _mrz_name(surname, given, 39)
    birth, until = dob.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    personal = "<" * 14
    two = (f"{number}{check_digit(number)}{state}{birth}{check_digit(birth)}{sex}{until}{check_digit(until)}"
           f"{personal}<")
    two += check_digit(two[0:10] + two[13:20] + two[21:43])
    return "\n".join([one, two])


def _canvas(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    base = tuple(rng.randint(215, 245) for _ in range(3))
    card = Image.new("RGB", size, base)  # type: ignore[arg-type]
    draw = ImageDraw.Draw(card)
    for y in range(0, size[1], 6):  # a guilloche-like wash the reader must ignore
        shade = tuple(max(0, c - rng.randint(0, 12)) for c in base)
        draw.line([(0, y), (size[0], y + rng.randint(-20, 20))], fill=shade, width=2)  # type: ignore[arg-type]
    return card, draw


def _photo(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int) -> None:
    draw.rectangle([x, y, x + w, y + h], fill=(170, 175, 185), outline=(90, 90, 90), width=2)
    draw.ellipse([x + w * 0.3, y + h * 0.15, x + w * 0.7, y + h * 0.5], fill=(120, 125, 135))
    draw.ellipse([x + w * 0.15, y + h * 0.55, x + w * 0.85, y + h * 1.1], fill=(120, 125, 135))


def _labelled(draw: ImageDraw.ImageDraw, fonts: _Fonts, x: int, y: int, label: str, value: str) -> None:
    draw.text((x, y), label, font=fonts.text(17), fill=(70, 70, 90))
    draw.text((x, y + 21), value, font=fonts.heading(25), fill=(10, 10, 20))


def _zone(draw: ImageDraw.ImageDraw, fonts: _Fonts, zone: str, x: int, y: int, size: int) -> None:
    for i, line in enumerate(zone.splitlines()):
        draw.text((x, y + i * int(size * 1.35)), line, font=fonts.zone(size), fill=(15, 15, 15))


def _draw_td1(rng: random.Random, fonts: _Fonts, today: date) -> tuple[Image.Image, dict[str, str], str]:
    given, surname, sex, dob = _person(rng, today)
    number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
    expiry = today + timedelta(days=rng.randint(200, 3000))
    zone = td1_zone(number, dob, sex, expiry, surname, given)
    card, draw = _canvas(rng, (1012, 638))
    draw.text((30, 22), "REPUBLIC OF UTOPIA  IDENTITY CARD", font=fonts.heading(30), fill=(20, 40, 90))
    _photo(draw, 34, 90, 210, 260)
    for i, (label, value) in enumerate([("Surname", surname.upper()), ("Given names", given.upper()),
                                        ("Sex", sex), ("Date of birth", dob.strftime("%d.%m.%Y")),
                                        ("Document No", number)]):
        _labelled(draw, fonts, 280 + (i // 3) * 380, 80 + (i % 3) * 70, label, value)
    _zone(draw, fonts, zone, 30, 420, 36)
    return card, {"name": f"{given} {surname}", "sex": _SEX[sex], "date_of_birth": dob.isoformat(),
                  "id_number": number, "id_type": "national_id"}, zone


def _draw_td3(rng: random.Random, fonts: _Fonts, today: date) -> tuple[Image.Image, dict[str, str], str]:
    given, surname, sex, dob = _person(rng, today)
    number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(1)) + str(rng.randint(10**7, 10**8 - 1))
    expiry = today + timedelta(days=rng.randint(200, 3600))
    zone = td3_zone(number, dob, sex, expiry, surname, given)
    card, draw = _canvas(rng, (1250, 880))
    draw.text((40, 28), "PASSPORT", font=fonts.heading(36), fill=(90, 20, 40))
    draw.text((400, 34), "UTOPIA", font=fonts.heading(30), fill=(90, 20, 40))
    _photo(draw, 40, 110, 280, 360)
    for i, (label, value) in enumerate([("Surname", surname.upper()), ("Given names", given.upper()),
                                        ("Nationality", "UTOPIAN"), ("Date of birth", dob.strftime("%d %b %Y")),
                                        ("Sex", sex), ("Passport No", number)]):
        _labelled(draw, fonts, 370 + (i // 3) * 420, 110 + (i % 3) * 90, label, value)
    _zone(draw, fonts, zone, 36, 700, 36)
    return card, {"name": f"{given} {surname}", "sex": _SEX[sex], "date_of_birth": dob.isoformat(),
                  "id_number": number, "id_type": "passport"}, zone


def aadhaar_number(rng: random.Random) -> str:
    body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return body + verhoeff.calc_check_digit(body)


def _draw_aadhaar(rng: random.Random, fonts: _Fonts, today: date) -> tuple[Image.Image, dict[str, str], str]:
    given, surname, sex, dob = _person(rng, today)
    number = aadhaar_number(rng)
    house, street, pin = rng.randint(1, 999), rng.choice(STREETS), rng.randint(682001, 682040)
    address = f"House {house}, {street}, Kochi {pin}"
    card, draw = _canvas(rng, (1012, 638))
    draw.text((30, 22), "Government of India", font=fonts.heading(30), fill=(160, 60, 10))
    _photo(draw, 34, 90, 200, 250)
    draw.text((270, 95), f"Name: {given} {surname}", font=fonts.heading(28), fill=(10, 10, 20))
    draw.text((270, 145), f"DOB: {dob.strftime('%d/%m/%Y')}", font=fonts.text(27), fill=(10, 10, 20))
    draw.text((270, 192), "FEMALE" if sex == "F" else "MALE", font=fonts.text(27), fill=(10, 10, 20))
    draw.text((270, 245), f"Address: House {house}, {street},", font=fonts.text(24), fill=(10, 10, 20))
    draw.text((270, 280), f"Kochi {pin}", font=fonts.text(24), fill=(10, 10, 20))
    draw.text((300, 520), " ".join(number[i:i + 4] for i in (0, 4, 8)), font=fonts.heading(44), fill=(10, 10, 10))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><PrintLetterBarcodeData uid="{number}" name="{given} {surname}" '
           f'gender="{sex}" dob="{dob.strftime("%d/%m/%Y")}" house="House {house}" street="{street}" vtc="Kochi" '
           f'pc="{pin}" state="Kerala"/>')
    qr = segno.make(xml, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=3, border=2)
    code = Image.open(buffer).convert("RGB")
    card.paste(code, (1012 - code.width - 24, 638 - code.height - 24))
    return card, {"name": f"{given} {surname}", "sex": _SEX[sex], "date_of_birth": dob.isoformat(),
                  "id_number": number, "id_type": "aadhaar", "address": address}, ""


def _draw_insurance(rng: random.Random, fonts: _Fonts, today: date) -> tuple[Image.Image, dict[str, str], str]:
    given, surname, sex, dob = _person(rng, today)
    insurer = rng.choice(INSURERS)
    policy = f"{rng.choice(['P', 'SH', 'NB'])}/{rng.randint(100000, 999999)}/{rng.randint(10, 99)}"
    card, draw = _canvas(rng, (1012, 638))
    draw.text((30, 26), insurer, font=fonts.heading(34), fill=(20, 90, 60))
    draw.text((30, 80), "Health Insurance Card", font=fonts.text(24), fill=(60, 60, 60))
    _labelled(draw, fonts, 40, 160, "Member name", f"{given} {surname}")
    _labelled(draw, fonts, 40, 250, "Policy No", policy)
    _labelled(draw, fonts, 40, 340, "Date of birth", dob.strftime("%d/%m/%Y"))
    _labelled(draw, fonts, 520, 340, "Gender", "Female" if sex == "F" else "Male")
    draw.text((40, 560), "24x7 helpline 1800 425 2255", font=fonts.text(20), fill=(60, 60, 60))
    return card, {"name": f"{given} {surname}", "sex": _SEX[sex], "date_of_birth": dob.isoformat(),
                  "insurer": insurer, "policy_number": policy}, ""


_SEX = {"F": "female", "M": "male"}
_DRAW = {"td1": _draw_td1, "td3": _draw_td3, "aadhaar": _draw_aadhaar, "insurance": _draw_insurance}


def photograph(card: Image.Image, rng: random.Random, *, max_angle: float = 15.0) -> Image.Image:
    """The card as a hurried phone photo: on a desk, turned, lit from one side, a little out of focus."""
    desk = Image.new("RGB", (int(card.width * 1.35), int(card.height * 1.45)),
                     tuple(rng.randint(60, 140) for _ in range(3)))  # type: ignore[arg-type]
    turned = card.convert("RGBA").rotate(rng.uniform(-max_angle, max_angle), expand=True,
                                         resample=Image.Resampling.BICUBIC)
    desk.paste(turned, ((desk.width - turned.width) // 2, (desk.height - turned.height) // 2), turned)
    light = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(desk.size)
    dim = rng.uniform(0.45, 0.75)
    shade = light.point(lambda v: int(255 * (dim + (1 - dim) * v / 255)))
    lit = Image.composite(desk, Image.new("RGB", desk.size, (0, 0, 0)), shade)
    return lit.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.4)))


def make_card(seed: int, kind: str | None = None, *, today: date = date(2026, 12, 1)) -> Card:
    rng = random.Random(seed)
    kind = kind or KINDS[seed % len(KINDS)]
    fonts = _Fonts(rng)
    card, fields, zone = _DRAW[kind](rng, fonts, today)
    photo = photograph(card, rng)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=rng.randint(35, 80))
    return Card(kind, buffer.getvalue(), fields, zone)


def card_set(count: int, *, first_seed: int = 1000) -> list[Card]:
    return [make_card(first_seed + i) for i in range(count)]


if __name__ == "__main__":  # python -m tests.intake.card_set OUT.jpg [KIND]: one example card (screenshots, dist-test)
    import sys

    Path(sys.argv[1]).write_bytes(make_card(2027, sys.argv[2] if len(sys.argv) > 2 else "td3").image_jpeg)
