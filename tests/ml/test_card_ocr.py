"""The card reader on the device (issue 27): real onnxruntime sessions on rapidocr's shipped models, real zxing-cpp,
generated card photos. No network: a test blocks every socket and the reader still reads."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageFilter

from emsync_desktop.domain.card_fields import read_card
from emsync_desktop.domain.card_reading import CardField
from emsync_desktop.ml.card_ocr import CardImageProblem, CardReader, load_card_image
from tests.intake.card_set import make_card

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def reader() -> Iterator[CardReader]:
    yield CardReader()


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _fields(reader: CardReader, data: bytes) -> dict[str, str]:
    scan = reader.read(data)
    return {p.field.value: p.value for p in read_card(list(scan.lines), list(scan.codes), today=TODAY).proposals}


def test_nothing_is_downloaded_the_models_ship_in_the_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the card reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    card = make_card(1001, "td3")
    assert _fields(CardReader(), card.image_jpeg) == card.fields  # a fresh reader: models loaded with no network


def test_a_passport_photo_is_read_with_its_zone_checked(reader: CardReader) -> None:
    card = make_card(1005, "td3")
    scan = reader.read(card.image_jpeg)
    reading = read_card(list(scan.lines), list(scan.codes), today=TODAY)
    assert reading.zone_valid is True and reading.zone_text == card.mrz
    assert {p.field.value: p.value for p in reading.proposals} == card.fields


def test_an_aadhaar_qr_code_is_decoded(reader: CardReader) -> None:
    scan = reader.read(make_card(1002, "aadhaar").image_jpeg)
    assert [code.symbology for code in scan.codes] == ["QRCode"] and "PrintLetterBarcodeData" in scan.codes[0].text


def test_an_upside_down_card_is_turned_and_read_the_same(reader: CardReader) -> None:
    card = make_card(1003, "insurance")
    upside_down = _jpeg(Image.open(io.BytesIO(card.image_jpeg)).rotate(180))
    scan = reader.read(upside_down)
    assert scan.turned == "upside down"
    assert {p.field.value: p.value for p in read_card(list(scan.lines), [], today=TODAY).proposals} == card.fields


def test_a_card_on_its_side_is_turned_and_read_the_same(reader: CardReader) -> None:
    card = make_card(1003, "insurance")
    sideways = _jpeg(Image.open(io.BytesIO(card.image_jpeg)).rotate(90, expand=True))
    scan = reader.read(sideways)
    assert scan.turned == "on its side"
    assert {p.field.value: p.value for p in read_card(list(scan.lines), [], today=TODAY).proposals} == card.fields


def test_a_photo_of_a_wall_proposes_nothing(reader: CardReader) -> None:
    wall = Image.effect_noise((1200, 900), 40).convert("RGB").filter(ImageFilter.GaussianBlur(3))
    scan = reader.read(_jpeg(wall))
    reading = read_card(list(scan.lines), list(scan.codes), today=TODAY)
    assert reading.proposals == () and any("No card fields found" in note for note in reading.notes)


@pytest.mark.parametrize(("data", "says"), [
    (b"", "The file is empty"),
    (b"PK\x03\x04 a zip, not a photo", "not an image the reader can open"),
])
def test_a_file_that_is_not_a_card_photo_is_refused_with_what_to_do(data: bytes, says: str) -> None:
    with pytest.raises(CardImageProblem, match=says):
        load_card_image(data)


def test_a_huge_image_is_refused_before_it_is_decoded() -> None:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 8_000)).save(buffer, format="PNG")  # 96 megapixels in a few kB
    with pytest.raises(CardImageProblem, match="96 megapixels"):
        load_card_image(buffer.getvalue())


def test_a_tiny_image_is_refused() -> None:
    with pytest.raises(CardImageProblem, match="too small to read"):
        load_card_image(_jpeg(Image.new("RGB", (120, 80), "white")))


def test_a_big_photo_is_read_at_working_size_with_boxes_in_its_pixels(reader: CardReader) -> None:
    card = make_card(1004, "td1")
    big = Image.open(io.BytesIO(card.image_jpeg)).resize((3000, 2250))
    scan = reader.read(_jpeg(big))
    assert max(scan.width, scan.height) == 1280
    assert all(0 <= x <= scan.width and 0 <= y <= scan.height for line in scan.lines for x, y in line.box)
    assert CardField.NAME in {p.field for p in read_card(list(scan.lines), [], today=TODAY).proposals}


def test_a_16_bit_greyscale_scan_is_read_not_blanked(reader: CardReader) -> None:
    card = make_card(1003, "insurance")
    grey = Image.open(io.BytesIO(card.image_jpeg)).convert("L")
    deep = Image.fromarray(np.asarray(grey, dtype=np.uint16) * 257)
    buffer = io.BytesIO()
    deep.save(buffer, format="PNG")
    scan = reader.read(buffer.getvalue())
    assert read_card(list(scan.lines), [], today=TODAY).get(CardField.POLICY_NUMBER).value == (  # type: ignore
        card.fields["policy_number"])


def test_a_photo_cut_short_is_called_damaged() -> None:
    data = make_card(1003, "insurance").image_jpeg
    with pytest.raises(CardImageProblem, match="damaged or incomplete"):
        load_card_image(data[: len(data) // 3])
