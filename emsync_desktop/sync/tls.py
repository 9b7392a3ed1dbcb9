"""Trust in the sync server's TLS certificate, for HTTP (``sync.http``) and the live channel
(``sync.live``) alike: the system's authorities by default, or a private CA pinned with ``--ca-file`` /
``$EMSYNC_CA_FILE``; then only a certificate that CA issued is accepted. Certificates and host names are
always verified; there is no switch to turn that off."""

from __future__ import annotations

import os
import re
import ssl
from pathlib import Path

CA_FILE_ENV = "EMSYNC_CA_FILE"
_VERIFY_FAILED = re.compile(r"certificate verify failed: ([^(')\"]+)")


def ca_file_in_use() -> Path | None:
    """The pinned CA (``$EMSYNC_CA_FILE``; ``main.py --ca-file`` sets it), or None: the system's authorities."""
    value = os.environ.get(CA_FILE_ENV)
    return Path(value) if value else None


def client_ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    """Verifies the server's certificate and host name: against ``ca_file`` alone if given."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def untrusted_message(url: str, ca_file: Path | None, error: BaseException | str) -> str:
    """What a person reads when the server's certificate is refused: why, and what to do."""
    text = str(error)
    found = _VERIFY_FAILED.search(text)
    why = found.group(1).strip() if found else (text if isinstance(error, str) else type(error).__name__)
    if ca_file is not None:
        advice = (f"this desk trusts only the CA in {ca_file}, and it did not issue that certificate: check "
                  "the server's certificate, or the --ca-file given")
    else:
        advice = ("if your organisation runs its own certificate authority, start EMsync with --ca-file CA.pem "
                  f"(or set {CA_FILE_ENV})")
    return (f"The sync server at {url} is not trusted: its TLS certificate was refused ({why}). Nothing was "
            f"sent; {advice}.")
