"""Signing in with a second factor, against stand-ins for the server: the code step, enrolment, and
what a device does offline with accounts that need one."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from emsync_desktop.services.auth import OnlineOnly, SecondStepDue, ask_server, sign_in_with_server
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.second_factor import confirm_enrolment, grouped_key, send_code, start_enrolment
from emsync_desktop.sync.http import AuthRejected, SecondFactorRequired, ServerUnreachable, raise_for_status
from emsync_desktop.sync.protocol import MfaChallenge, MfaEnrolled, MfaEnrolment, TokenResponse, UserPublic

PASSWORD = "correct horse battery"
MEERA = UserPublic(id="0190f0e0-0000-7000-8000-0000000000cc", username="meera", display_name="Meera Das",
                   role="coordinator", hospital_id=None, ambulance_unit=None)
CODE_STEP = MfaChallenge(mfa="code", challenge_token="challenge", expires_in_s=300)
TOKENS = TokenResponse(access_token="a", refresh_token="r", expires_in_s=900, user=MEERA)


def server_accepting_password(username: str, password: str) -> TokenResponse:
    """A server from before two-step sign-in: the coordinator's verifier gets cached on the device."""
    if (username, password) != ("meera", PASSWORD):
        raise AuthRejected("Unknown user name or wrong password.")
    return TOKENS


def server_asking_for_a_code(_username: str, _password: str) -> TokenResponse:
    raise SecondFactorRequired(CODE_STEP)


def server_unreachable(_username: str, _password: str) -> TokenResponse:
    raise ServerUnreachable("sync server not reachable (ConnectionError)")


@dataclass
class SecondFactorStandIn:
    codes_sent: list[str] = field(default_factory=list)

    def verify_code(self, challenge_token: str, code: str) -> TokenResponse:
        self.codes_sent.append(code)
        if (challenge_token, code) != ("challenge", "123456"):
            raise AuthRejected("That code is not right, or it was used already.")
        return TOKENS

    def start_enrolment(self, challenge_token: str) -> MfaEnrolment:
        return MfaEnrolment(secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", otpauth_uri="otpauth://totp/EMsync:meera")

    def confirm_enrolment(self, challenge_token: str, code: str) -> MfaEnrolled:
        if code != "654321":
            raise AuthRejected("That code does not match the QR code shown.")
        return MfaEnrolled(tokens=TOKENS, recovery_codes=["abcde-fghjk"] * 10)

    def set_up_second_factor(self, token: str, password: str) -> MfaChallenge:
        return MfaChallenge(mfa="enrol", challenge_token="enrol", expires_in_s=300)


def test_a_right_password_of_a_second_factor_account_comes_back_as_the_challenge() -> None:
    assert ask_server(server_asking_for_a_code, "Meera ", PASSWORD) == CODE_STEP


def test_signing_in_in_one_call_stops_at_the_code_step(app_context: AppContext) -> None:
    with pytest.raises(SecondStepDue) as due:
        sign_in_with_server(app_context.store, server_asking_for_a_code, "meera", PASSWORD)
    assert due.value.challenge == CODE_STEP


def test_a_coordinator_never_signs_in_offline_even_with_a_cached_verifier(app_context: AppContext) -> None:
    sign_in_with_server(app_context.store, server_accepting_password, "meera", PASSWORD)
    with pytest.raises(OnlineOnly, match="sign in online only"):
        sign_in_with_server(app_context.store, server_unreachable, "meera", PASSWORD)


def test_a_right_code_gets_the_tokens() -> None:
    assert send_code(SecondFactorStandIn(), CODE_STEP, " 123456 ") == TOKENS


def test_a_refused_code_is_told_in_the_servers_words() -> None:
    with pytest.raises(Exception, match="used already") as refused:
        send_code(SecondFactorStandIn(), CODE_STEP, "000000")
    assert type(refused.value).__name__ == "SignInError"


def test_an_empty_code_is_not_sent() -> None:
    server = SecondFactorStandIn()
    with pytest.raises(Exception, match="6-digit code"):
        send_code(server, CODE_STEP, "   ")
    assert server.codes_sent == []


def test_enrolment_gives_the_key_then_recovery_codes_for_a_right_code() -> None:
    server, enrol = SecondFactorStandIn(), MfaChallenge(mfa="enrol", challenge_token="enrol", expires_in_s=300)
    assert start_enrolment(server, enrol).otpauth_uri.startswith("otpauth://totp/")
    assert len(confirm_enrolment(server, enrol, "654321").recovery_codes) == 10


def test_the_key_is_shown_in_groups_of_four() -> None:
    assert grouped_key("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"


@dataclass
class ThrottlingStandIn(SecondFactorStandIn):
    def verify_code(self, challenge_token: str, code: str) -> TokenResponse:
        raise_for_status(429, "Too many failed sign-ins: try again in 37 s.")
        raise AssertionError("a 429 must raise")


def test_too_many_wrong_codes_says_how_long_to_wait_not_that_the_server_is_gone() -> None:
    with pytest.raises(Exception, match="try again in 37 s") as refused:
        send_code(ThrottlingStandIn(), CODE_STEP, "123456")
    assert type(refused.value).__name__ == "SignInError"
