"""Sign-in through the server with an offline fallback, against a stand-in for the server's login."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from emsync_desktop.services.auth import SignInError, ask_server, demo_users, sign_in_demo, sign_in_with_server
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import User
from emsync_desktop.sync.http import AccountDisabled, AuthRejected, ServerUnreachable, Throttled, raise_for_status
from emsync_desktop.sync.protocol import ACCOUNT_DISABLED, TokenResponse, UserPublic

PASSWORD = "correct horse battery"
PROFILE = UserPublic(id="0190f0e0-0000-7000-8000-0000000000aa", username="devi", display_name="Devi Nair",
                     role="paramedic", hospital_id=None, ambulance_unit="AMB-7")


def server_accepting(password: str = PASSWORD):  # type: ignore[no-untyped-def]
    def login(username: str, typed: str) -> TokenResponse:
        if (username, typed) != ("devi", password):
            raise AuthRejected("Unknown user name or wrong password.")
        return TokenResponse(access_token="a", refresh_token="r", expires_in_s=600, user=PROFILE)
    return login


def server_unreachable(_username: str, _password: str) -> TokenResponse:
    raise ServerUnreachable("sync server not reachable (ConnectionError)")


def test_online_sign_in_caches_profile_and_a_verifier_not_the_password(app_context: AppContext) -> None:
    result = sign_in_with_server(app_context.store, server_accepting(), "Devi ", PASSWORD)
    assert result.online and result.user.display_name == "Devi Nair" and result.user.ambulance_unit == "AMB-7"
    with app_context.store.sessions.begin() as session:
        row = session.scalars(select(User).where(User.username == "devi")).one()
        assert row.password_hash is not None and row.password_hash.startswith("$argon2")
        assert PASSWORD not in row.password_hash


def test_offline_sign_in_uses_the_cached_verifier(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting(), "devi", PASSWORD)
    result = sign_in_with_server(app_context.store, server_unreachable, "devi", PASSWORD)
    assert not result.online and result.user.id == PROFILE.id


def test_offline_sign_in_refuses_a_wrong_password(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting(), "devi", PASSWORD)
    with pytest.raises(SignInError, match="wrong password"):
        sign_in_with_server(app_context.store, server_unreachable, "devi", "guess")


def test_offline_first_sign_in_says_to_connect_once(app_context: AppContext) -> None:
    with pytest.raises(SignInError, match="Connect to the network once"):
        sign_in_with_server(app_context.store, server_unreachable, "devi", PASSWORD)


def test_server_refusal_is_final_even_with_a_matching_cached_verifier(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting(), "devi", PASSWORD)
    changed = server_accepting(password="a new password 2026")  # changed on the server since
    with pytest.raises(SignInError, match="wrong password"):
        sign_in_with_server(app_context.store, changed, "devi", PASSWORD)


def test_new_password_from_the_server_replaces_the_cached_one(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting(), "devi", PASSWORD)
    sign_in_with_server(app_context.store, server_accepting("a new password 2026"), "devi", "a new password 2026")
    with pytest.raises(SignInError):
        sign_in_with_server(app_context.store, server_unreachable, "devi", PASSWORD)
    assert sign_in_with_server(app_context.store, server_unreachable, "devi", "a new password 2026").user


def test_demo_accounts_cannot_sign_in_offline_with_a_password(app_context: AppContext) -> None:
    with pytest.raises(SignInError, match="not signed in on this device before"):
        sign_in_with_server(app_context.store, server_unreachable, "asha", "anything at all")


def test_demo_accounts_sign_in_without_a_password_only_without_a_real_server(app_context: AppContext) -> None:
    demo = demo_users(app_context.store)[0]
    assert sign_in_demo(app_context.store, demo.id, demo_install=True) == demo
    with pytest.raises(SignInError, match="not available with a sync server"):
        sign_in_demo(app_context.store, demo.id, demo_install=True, real_server=True)


def test_server_refusal_comes_from_the_network_step_and_no_answer_is_none() -> None:
    assert ask_server(server_unreachable, "devi", PASSWORD) is None
    with pytest.raises(SignInError, match="wrong password"):
        ask_server(server_accepting(), "devi", "guess")


def test_disabled_account_is_told_so_and_not_signed_in_offline(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting(), "devi", PASSWORD)

    def disabled(_username: str, _password: str) -> TokenResponse:
        raise AccountDisabled(ACCOUNT_DISABLED)

    with pytest.raises(SignInError) as refused:
        sign_in_with_server(app_context.store, disabled, "devi", PASSWORD)
    assert str(refused.value) == "This account is disabled: ask your administrator."


def test_throttled_sign_in_says_how_long_to_wait_and_is_not_signed_in_offline(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting(), "devi", PASSWORD)

    def throttled(_username: str, _password: str) -> TokenResponse:
        raise_for_status(429, "Too many failed sign-ins: try again in 37 s.")
        raise AssertionError("a 429 must raise")

    with pytest.raises(SignInError, match="try again in 37 s") as refused:
        sign_in_with_server(app_context.store, throttled, "devi", PASSWORD)
    assert isinstance(refused.value.__cause__, Throttled)
