"""Whether the server may serve plain HTTP: only on loopback (the embedded demo server, tests) or when
told so. Anywhere else tokens and patient data would cross the network in clear."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


@dataclass(frozen=True)
class Transport:
    """``refusal``: why the server must not start (what to do instead); ``warning``: start, but say this loudly."""

    tls: bool
    refusal: str | None = None
    warning: str | None = None


def choose_transport(host: str, *, certfile: Path | None, keyfile: Path | None, insecure_http: bool,
                     demo: bool) -> Transport:
    if certfile is not None:
        missing = [str(p) for p in (certfile, keyfile) if p is not None and not p.is_file()]
        if missing:
            return Transport(True, refusal=f"TLS file not found: {', '.join(missing)}.")
        return Transport(True)
    if keyfile is not None:
        return Transport(False, refusal="--keyfile needs --certfile (the server's certificate, PEM).")
    if is_loopback(host):
        return Transport(False)
    if insecure_http:
        return Transport(False, warning=f"PLAIN HTTP on {host} (--insecure-http): passwords, tokens and patient "
                                        "data cross the network unencrypted. Use only behind a TLS proxy.")
    if demo:
        return Transport(False, warning=f"demo server on {host} without TLS: passwords and tokens cross the "
                                        "network unencrypted (demo data only).")
    return Transport(False, refusal=(
        f"Refusing to serve plain HTTP on {host}: a production server needs TLS. Give --certfile CERT.pem "
        "--keyfile KEY.pem (from your organisation's CA; desks trust a private CA with --ca-file), or listen on "
        "loopback only (--host 127.0.0.1), or, behind a TLS-terminating proxy, pass --insecure-http."))
