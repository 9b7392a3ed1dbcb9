"""The second step of signing in through the sync server: a code, or enrolling an authenticator app.

Threading: every function here waits on the network, so it runs on a background thread
(``TaskRelay.submit_background``), never on the GUI or the DB thread. Nothing here stores or logs a
secret, a code or a recovery code; each error's message is safe to show and says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from emsync_desktop.services.auth import SignInError
from emsync_desktop.sync.http import AuthRejected, RequestRefused, ServerUnreachable, Throttled
from emsync_desktop.sync.protocol import MfaChallenge, MfaEnrolled, MfaEnrolment, TokenResponse

CODE_CHARS_MAX = 32  # the protocol's bound; a recovery code is 11 characters, a TOTP code 6


class SecondFactorServer(Protocol):
    """The sync server's second-factor calls (``sync.http.SyncHttp``; a stand-in in tests)."""

    def verify_code(self, challenge_token: str, code: str) -> TokenResponse: ...

    def start_enrolment(self, challenge_token: str) -> MfaEnrolment: ...

    def confirm_enrolment(self, challenge_token: str, code: str) -> MfaEnrolled: ...

    def set_up_second_factor(self, token: str, password: str) -> MfaChallenge: ...


def send_code(server: SecondFactorServer, challenge: MfaChallenge, code: str) -> TokenResponse:
    """The server's tokens for a right code (from the app, or a recovery code)."""
    return _ask(lambda: server.verify_code(challenge.challenge_token, _typed(code)))


def start_enrolment(server: SecondFactorServer, challenge: MfaChallenge) -> MfaEnrolment:
    """A new key for the authenticator app (as text and as an ``otpauth://`` URI for the QR code)."""
    return _ask(lambda: server.start_enrolment(challenge.challenge_token))


def confirm_enrolment(server: SecondFactorServer, challenge: MfaChallenge, code: str) -> MfaEnrolled:
    """Turns two-step sign-in on once ``code`` shows the app has the key: tokens and recovery codes."""
    return _ask(lambda: server.confirm_enrolment(challenge.challenge_token, _typed(code)))


def ask_to_enrol(server: SecondFactorServer, access_token: str, password: str) -> MfaChallenge:
    """A signed-in account without a second factor asks to turn one on (its password again)."""
    return _ask(lambda: server.set_up_second_factor(access_token, password))


def grouped_key(secret: str) -> str:
    """The key as a person types it from the screen: groups of four."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _typed(code: str) -> str:
    code = code.strip()
    if not code:
        raise SignInError("Type the 6-digit code from your authenticator app, or a recovery code.")
    if len(code) > CODE_CHARS_MAX:
        raise SignInError("That is not a code: a code from the app has 6 digits, a recovery code 10 letters "
                          "and digits.")
    return code


def _ask[T](call: Callable[[], T]) -> T:
    try:
        return call()
    except AuthRejected as refused:
        raise SignInError(str(refused)) from refused
    except RequestRefused as refused:  # "HTTP 409: <the server's words>": the words are for the person
        raise SignInError(str(refused).partition(": ")[2] or str(refused)) from refused
    except Throttled as waiting:  # too many wrong codes or passwords: the server says how long
        raise SignInError(str(waiting)) from waiting
    except ServerUnreachable as gone:
        raise SignInError("The sync server stopped answering. Try again in a moment.") from gone
