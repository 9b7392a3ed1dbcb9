"""Opening radiographs: the real chest CR from pydicom-data, generated pictures, and every bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from emsync_desktop.ml.image_io import DAMAGED, NOT_AN_XRAY, ImageRefused, load_image

CHEST_CR = Path(get_testdata_file("RG1_UNCR.dcm"))  # type: ignore[arg-type]
CHEST_CR_JPEG2000 = Path(get_testdata_file("RG1_J2KR.dcm"))  # type: ignore[arg-type]


def test_chest_cr_is_windowed_and_monochrome1_inverted() -> None:
    image = load_image(CHEST_CR)
    raw = pydicom.dcmread(CHEST_CR).pixel_array.astype(np.float32)
    assert image.kind == "DICOM" and image.modality == "CR" and image.size == (1841, 1955)
    assert "MONOCHROME1 inverted" in image.description and "window 15000/30000" in image.description
    dense = np.unravel_index(np.argmax(raw), raw.shape)  # MONOCHROME1: the highest value is the darkest
    assert image.pixels[dense] == pytest.approx(1.0 - min(1.0, (raw[dense] - 0) / 30000), abs=1e-5)
    assert image.pixels.min() >= 0.0 and image.pixels.max() <= 1.0


def test_same_file_same_hash_and_a_changed_file_another(tmp_path: Path) -> None:
    copy = tmp_path / "copy.dcm"
    copy.write_bytes(CHEST_CR.read_bytes())
    assert load_image(copy).sha256 == load_image(CHEST_CR).sha256
    copy.write_bytes(CHEST_CR.read_bytes()[:-1] + b"\x01")
    assert load_image(copy).sha256 != load_image(CHEST_CR).sha256


def test_sixteen_bit_png_uses_its_full_range(tmp_path: Path) -> None:
    values = np.linspace(1000, 4000, 64 * 64, dtype=np.uint16).reshape(64, 64)
    path = tmp_path / "sixteen.png"
    Image.fromarray(values).save(path)
    image = load_image(path)
    assert image.kind == "PNG" and image.pixels.min() == 0.0 and image.pixels.max() == 1.0


def test_colour_jpeg_is_turned_to_grey_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "colour.jpg"
    Image.new("RGB", (80, 60), (200, 40, 40)).save(path)
    image = load_image(path)
    assert image.pixels.shape == (60, 80) and "colour image turned to grey" in image.notes


@pytest.mark.parametrize(("make", "message", "advice"), [
    (lambda p: p.write_text("patient notes, not an image"), NOT_AN_XRAY, "DICOM, PNG or JPEG"),
    (lambda p: p.write_bytes(CHEST_CR.read_bytes()[:5000]), DAMAGED, "Copy it again"),
    (lambda p: Image.new("L", (40, 40)).save(p, format="GIF"), NOT_AN_XRAY, "DICOM, PNG or JPEG"),
    (lambda p: Image.new("L", (8, 8)).save(p, format="PNG"), "too small to be an X-ray", "full-size image"),
])
def test_bad_files_are_refused_with_what_to_do(tmp_path: Path, make: object, message: str, advice: str) -> None:
    path = tmp_path / "input.png"
    make(path)  # type: ignore[operator]
    with pytest.raises(ImageRefused) as refused:
        load_image(path)
    assert message in refused.value.message and advice in refused.value.advice


@pytest.mark.parametrize("name", ["notes.dcm", "notes.png"])
def test_the_decoders_own_words_are_kept_apart_from_the_nurses(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("patient notes, not an image")
    with pytest.raises(ImageRefused) as refused:
        load_image(path)
    assert refused.value.message == NOT_AN_XRAY and name in refused.value.details
    assert name not in refused.value.message + refused.value.advice  # no jargon up front: the library's text waits
    assert refused.value.details in str(refused.value)  # logs keep everything


def test_details_of_a_text_file_name_it_and_say_why_plainly(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("patient notes, not an image")
    with pytest.raises(ImageRefused) as refused:
        load_image(path)
    assert refused.value.details.startswith("notes.png: not a PNG, JPEG or DICOM image")
    assert "BytesIO" not in refused.value.details and "0x" not in refused.value.details


def test_an_unforeseen_decoder_error_is_still_an_unreadable_file(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise KeyError("(0028, 0010)")
    monkeypatch.setattr(pydicom, "dcmread", explode)
    with pytest.raises(ImageRefused) as refused:
        load_image(CHEST_CR)
    assert refused.value.message == NOT_AN_XRAY and "KeyError" in refused.value.details


def test_truncated_png_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (300, 300), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:4000])
    with pytest.raises(ImageRefused, match="damaged or incomplete"):
        load_image(path)


def test_huge_image_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (20_000, 20_000)).save(path)  # 1-bit: small on disk, 400 megapixels decoded
    with pytest.raises(ImageRefused, match="far larger than any X-ray"):
        load_image(path)


def test_dicom_without_pixel_data_is_refused(tmp_path: Path) -> None:
    ds = pydicom.dcmread(CHEST_CR)
    del ds.PixelData
    path = tmp_path / "no_pixels.dcm"
    ds.save_as(path)
    with pytest.raises(ImageRefused, match="holds no image"):
        load_image(path)


def test_lossless_jpeg2000_chest_cr_decodes_to_the_same_image() -> None:
    assert np.array_equal(load_image(CHEST_CR_JPEG2000).pixels, load_image(CHEST_CR).pixels)


def test_compressed_dicom_without_a_decoder_says_to_export_uncompressed() -> None:
    jpeg_ls = Path(get_testdata_file("MR_small_jpeg_ls_lossless.dcm"))  # type: ignore[arg-type]
    with pytest.raises(ImageRefused, match="exported again uncompressed") as refused:
        load_image(jpeg_ls)
    assert "JPEG-LS" in refused.value.details
