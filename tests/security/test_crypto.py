import pytest

from emsync_desktop.security.crypto import DecryptionError, FieldCipher, new_data_key


def test_round_trip() -> None:
    cipher = FieldCipher(new_data_key())
    assert cipher.decrypt(cipher.encrypt("Asha", b"a"), b"a") == "Asha"


def test_same_text_encrypts_differently_each_time() -> None:
    cipher = FieldCipher(new_data_key())
    assert cipher.encrypt("Asha", b"a") != cipher.encrypt("Asha", b"a")


def test_value_moved_to_another_column_fails() -> None:
    cipher = FieldCipher(new_data_key())
    with pytest.raises(DecryptionError):
        cipher.decrypt(cipher.encrypt("Asha", b"encounters.name"), b"encounters.phone")


def test_tampered_value_fails() -> None:
    cipher = FieldCipher(new_data_key())
    blob = bytearray(cipher.encrypt("Asha", b"a"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(blob), b"a")


def test_other_key_fails() -> None:
    blob = FieldCipher(new_data_key()).encrypt("Asha", b"a")
    with pytest.raises(DecryptionError):
        FieldCipher(new_data_key()).decrypt(blob, b"a")
