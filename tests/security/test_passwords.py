from emsync_desktop.security.passwords import hash_password, verify_password


def test_verifier_accepts_right_and_refuses_wrong_password() -> None:
    stored = hash_password("night shift 42")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "night shift 42")
    assert not verify_password(stored, "night shift 43")


def test_garbage_hash_is_refused_not_crashing() -> None:
    assert not verify_password("not-a-hash", "x")
