"""Signed model entries (Ed25519, pycryptodome). No Qt, no onnxruntime.

A manifest entry (each imaging model; the triage section, for its seven models) is signed as a whole:
its canonical JSON (keys sorted, no spaces, UTF-8) without its own
``signature`` key. The entry names every file it uses with that file's sha256 (the model, heat-map
weights, reference images), and those hashes are checked before any file is used (``registry``), so one
signature vouches for the entry and all its files::

    "signature": {"public_key": "<base64 of the 32-byte Ed25519 key>", "ed25519": "<base64 signature>"}

A model is used only if its signature is valid AND its key is trusted: the project's keys
(``resources/model_keys/*.pub``, base64 keys, shipped with the app) or a key an admin of this PC chose
to trust (``services/model_trust.py``). ``check_signature``
raises ``UntrustedModel`` (a ``ModelUnavailable``) whose text says which of the three failed and what
to do. Private keys never live in the repository: the release build reads the project's key from
``$EMSYNC_MODEL_SIGNING_KEY``; tests generate their own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emsync_desktop.ml.registry import ModelUnavailable

SIGNATURE_KEY = "signature"
PROJECT_KEYS_DIR = Path(__file__).resolve().parents[2] / "resources" / "model_keys"


class UntrustedModel(ModelUnavailable):
    """Unsigned, wrongly signed, or signed by a key this PC does not trust. ``public_key`` is the
    signer's key when the signature itself is valid (so an admin may choose to trust it), else None."""

    def __init__(self, message: str, public_key: bytes | None = None) -> None:
        super().__init__(message)
        self.public_key = public_key


@dataclass(frozen=True)
class TrustedKeys:
    keys: frozenset[bytes]  # raw 32-byte Ed25519 public keys

    def __contains__(self, key: bytes) -> bool:
        return key in self.keys


def fingerprint(public_key: bytes) -> str:
    """What a person compares with the vendor's letter: the key's sha256, 8 groups of 4 hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def files_named(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``{file, sha256}`` the entry vouches for (model, heat-map weights, reference outputs)."""
    named = [entry] + [entry[k] for k in ("cam_weights", "reference") if isinstance(entry.get(k), dict)]
    return [{"file": n["file"], "sha256": n["sha256"]} for n in named]


def triage_files(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every ``{file, sha256}`` the triage section vouches for (its seven models)."""
    models = section.get("models", {})
    return [{"file": m["file"], "sha256": m["sha256"]} for m in models.values()] if isinstance(models, Mapping) else []


def canonical_bytes(entry: Mapping[str, Any]) -> bytes:
    unsigned = {k: v for k, v in entry.items() if k != SIGNATURE_KEY}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_entry(entry: Mapping[str, Any], private_key_pem: bytes, passphrase: str | None = None) -> dict[str, Any]:
    """The entry with its signature (any earlier signature replaced)."""
    from Crypto.PublicKey import ECC
    from Crypto.Signature import eddsa

    key = ECC.import_key(private_key_pem, passphrase=passphrase)
    signature = eddsa.new(key, "rfc8032").sign(canonical_bytes(entry))
    public = key.public_key().export_key(format="raw")
    return {**{k: v for k, v in entry.items() if k != SIGNATURE_KEY},
            SIGNATURE_KEY: {"public_key": _b64(public), "ed25519": _b64(signature)}}


def new_private_key_pem(passphrase: str | None = None) -> bytes:
    """A new Ed25519 private key, PEM (PKCS#8, encrypted with ``passphrase`` if given)."""
    from Crypto.PublicKey import ECC

    key = ECC.generate(curve="ed25519")
    if passphrase:
        pem = key.export_key(format="PEM", passphrase=passphrase, protection="scryptAndAES256-CBC")
    else:
        pem = key.export_key(format="PEM")
    return pem.encode("ascii")


def public_key_of(private_key_pem: bytes, passphrase: str | None = None) -> bytes:
    from Crypto.PublicKey import ECC

    return bytes(ECC.import_key(private_key_pem, passphrase=passphrase).public_key().export_key(format="raw"))


def check_signature(entry: Mapping[str, Any], trusted: TrustedKeys, name: str | None = None) -> bytes:
    """The signer's public key if the entry is validly signed by a trusted key; else ``UntrustedModel``.
    ``name``: what messages call it (default the entry's ``name``)."""
    from Crypto.Signature import eddsa

    name = name or str(entry.get("name", "?"))
    signature = entry.get(SIGNATURE_KEY)
    if not isinstance(signature, Mapping):
        raise UntrustedModel(f"Model {name} is not signed, so it is refused: unsigned model files could have been "
                             "changed by anyone. Ask its maker for a signed copy (they sign it with "
                             "'python -m emsync_desktop.ml.sign sign').")
    try:
        public = base64.b64decode(str(signature["public_key"]), validate=True)
        verifier = eddsa.new(eddsa.import_public_key(public), "rfc8032")
        verifier.verify(canonical_bytes(entry), base64.b64decode(str(signature["ed25519"]), validate=True))
    except (KeyError, ValueError, binascii.Error) as exc:
        raise UntrustedModel(f"Model {name}'s signature does not match its manifest entry: the entry or a file "
                             "it names was changed after it was signed, so it is refused. Get a fresh copy "
                             "from its maker.") from exc
    if public not in trusted:
        raise UntrustedModel(f"Model {name} is signed by key {fingerprint(public)}, which this PC does not trust. "
                             "If its maker confirms that fingerprint (by phone or letter, not by the same email as "
                             "the model), an admin can trust the key in Admin → Models.", public)
    return public


def project_keys(folder: Path = PROJECT_KEYS_DIR) -> frozenset[bytes]:
    """The keys shipped with the app (``*.pub``: base64 of the raw key; lines starting '#' are comments)."""
    keys: set[bytes] = set()
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else []:
        lines = [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        keys.update(base64.b64decode(line, validate=True) for line in lines)
    return frozenset(keys)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
