"""Sealed TOTP secrets and code checks, without a database."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from sync_server import mfa

NOW = datetime(2026, 12, 5, 8, 0, 10, tzinfo=UTC)
ACCOUNT, OTHER = "0190f0e0-0000-7000-8000-0000000000aa", "0190f0e0-0000-7000-8000-0000000000bb"


def test_a_sealed_secret_opens_for_its_account_with_the_server_secret() -> None:
    key, secret = os.urandom(32), mfa.new_secret()
    assert mfa.unseal(key, ACCOUNT, mfa.seal(key, ACCOUNT, secret)) == secret


def test_a_sealed_secret_copied_to_another_account_does_not_open() -> None:
    key = os.urandom(32)
    with pytest.raises(mfa.SealError):
        mfa.unseal(key, OTHER, mfa.seal(key, ACCOUNT, mfa.new_secret()))


def test_a_sealed_secret_does_not_open_with_another_server_secret() -> None:
    with pytest.raises(mfa.SealError):
        mfa.unseal(os.urandom(32), ACCOUNT, mfa.seal(os.urandom(32), ACCOUNT, mfa.new_secret()))


@pytest.mark.parametrize("sealed", ["", "v1:", "v1:not base64!", "v2:AAAA", "v1:" + "A" * 40])
def test_a_damaged_sealed_secret_is_a_seal_error(sealed: str) -> None:
    with pytest.raises(mfa.SealError):
        mfa.unseal(os.urandom(32), ACCOUNT, sealed)


def test_codes_of_the_steps_either_side_match_and_are_told_apart() -> None:
    secret, step = mfa.new_secret(), mfa.time_step(NOW)
    found = [mfa.matching_step(secret, mfa.code_at(secret, step + d), NOW, newer_than=None) for d in (-1, 0, 1)]
    assert found == [step - 1, step, step + 1]


def test_a_code_of_a_step_already_used_does_not_match() -> None:
    secret, step = mfa.new_secret(), mfa.time_step(NOW)
    assert mfa.matching_step(secret, mfa.code_at(secret, step), NOW, newer_than=step) is None


def test_the_code_matches_pyotp_for_the_rfc_6238_test_secret() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238 appendix B key "12345678901234567890", base32
    assert mfa.code_at(secret, 59 // mfa.STEP_S) == "287082"  # RFC: 94287082 (8 digits) at T=59 s


def test_recovery_codes_are_checked_as_typed_from_paper() -> None:
    code = mfa.new_recovery_codes()[0]
    stored = mfa.hash_recovery_code(code)
    assert mfa.recovery_code_matches(stored, f" {code.upper().replace('-', ' ')} ")
    assert not mfa.recovery_code_matches(stored, "22222-22222")


def test_the_provisioning_uri_names_the_issuer_and_account() -> None:
    uri = mfa.provisioning_uri(mfa.new_secret(), "rahul")
    assert uri.startswith("otpauth://totp/EMsync:rahul?") and "issuer=EMsync" in uri
