"""AES-256-GCM encryption of single field values.

Blob layout: version (1 byte, 0x01) | nonce (12) | tag (16) | ciphertext.
The associated data names the column, so a value copied into another column
fails to decrypt instead of being read as something else.
"""

from __future__ import annotations

from Crypto.Cipher import AES
from Crypto.Random import get_random_bytes

KEY_BYTES = 32
_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(ValueError):
    """A field could not be decrypted: wrong key or altered bytes."""


class FieldCipher:
    """Encrypts and decrypts text fields with one data key. Thread-safe (stateless)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("data key must be 32 bytes (AES-256)")
        self._key = key

    def encrypt(self, plaintext: str, associated: bytes) -> bytes:
        nonce = get_random_bytes(_NONCE_BYTES)
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        cipher.update(associated)
        ciphertext, tag = cipher.encrypt_and_digest(plaintext.encode("utf-8"))
        return _VERSION + nonce + tag + ciphertext

    def decrypt(self, blob: bytes, associated: bytes) -> str:
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[:1] != _VERSION:
            raise DecryptionError("not an encrypted field value")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        tag = blob[1 + _NONCE_BYTES : 1 + _NONCE_BYTES + _TAG_BYTES]
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        cipher.update(associated)
        try:
            plain = cipher.decrypt_and_verify(blob[1 + _NONCE_BYTES + _TAG_BYTES :], tag)
        except ValueError as exc:
            raise DecryptionError("field failed authentication: wrong key or altered data") from exc
        return plain.decode("utf-8")


def new_data_key() -> bytes:
    return get_random_bytes(KEY_BYTES)
