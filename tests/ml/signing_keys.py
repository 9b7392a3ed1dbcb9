"""A model-signing key made for this test session (never the project's): sign test model folders with
it, and trust it in a data dir as an admin would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from emsync_desktop.ml.sign import sign_folder
from emsync_desktop.ml.signing import TrustedKeys, new_private_key_pem, public_key_of
from emsync_desktop.services.model_trust import trust_key

TEST_KEY_PEM = new_private_key_pem()
TEST_PUBLIC_KEY = public_key_of(TEST_KEY_PEM)
TEST_TRUST = TrustedKeys(frozenset({TEST_PUBLIC_KEY}))


def sign_with_test_key(folder: Path) -> Path:
    sign_folder(folder, TEST_KEY_PEM)
    return folder


def trust_test_key(data_dir: Path) -> Path:
    trust_key(data_dir, TEST_PUBLIC_KEY, name="Test vendor", trusted_by="test-admin",
              at=datetime(2026, 12, 5, tzinfo=UTC))
    return data_dir
