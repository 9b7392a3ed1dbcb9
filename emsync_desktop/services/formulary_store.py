"""Which formulary the dose checks use on this device, and whether a clinician has reviewed it.

The shipped defaults (``domain/formulary_defaults.py``) are not reviewed by a medical director; the app says
so beside every dose check until an admin publishes the service's own formulary. A published one reaches
this device by the pull (``sync.apply``, table ``formularies``) and the newest version is in force.
Threading: call on the DbRunner thread only (see ``runner.py``).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.formulary import Formulary
from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import FormularyError, parse_formulary
from emsync_desktop.domain.local_time import to_local
from emsync_desktop.store.models import FormularyVersion

DEFAULT_NOTICE = "Default formulary, not reviewed by a clinician: check doses against your service's guidelines."


@dataclass(frozen=True)
class FormularyInfo:
    """``drugs`` the checks use; ``source`` one line saying where they come from (shown with every check);
    ``reviewed`` False for the shipped defaults."""

    drugs: Formulary
    source: str
    reviewed: bool


DEFAULT_INFO = FormularyInfo(DEFAULT_FORMULARY, DEFAULT_NOTICE, reviewed=False)


@dataclass(frozen=True)
class PublishedFormulary:
    """Which published formulary is in force: its server version, the admin's name for it, who and when."""

    id: str
    version: int
    label: str
    published_by_name: str
    published_at: datetime


def current_formulary_in(session: Session) -> FormularyInfo:
    """The formulary in force on this device (in ``session``'s transaction): the newest published, else
    the shipped defaults."""
    return formulary_in_force(session)[0]


def formulary_in_force(session: Session) -> tuple[FormularyInfo, PublishedFormulary | None]:
    """The formulary in force and, when an admin's, which version it is (None: the shipped defaults)."""
    newest = session.execute(_NEWEST).first()
    if newest is None:
        return DEFAULT_INFO, None
    published = PublishedFormulary(newest.id, newest.version, newest.label, newest.published_by_name,
                                   newest.published_at)
    return _info_of(session, published), published


def source_line(published: PublishedFormulary) -> str:
    """'Kochi EMS formulary 2026-11, reviewed by Dr X (version 3, published 05 Dec 2026)'."""
    return f"{published.label} (version {published.version}, published {to_local(published.published_at):%d %b %Y})"


def _info_of(session: Session, published: PublishedFormulary) -> FormularyInfo:
    """Parsed once per version (a version never changes): the checks read it in every transaction."""
    with _LOCK:
        cached = _PARSED.get(published.id)
    if cached is not None:
        return cached
    drugs_json = session.scalar(select(FormularyVersion.drugs).where(FormularyVersion.id == published.id))
    info = _parsed(published, drugs_json or "")
    with _LOCK:
        if len(_PARSED) >= _KEEP:
            _PARSED.clear()
        _PARSED[published.id] = info
    return info


def _parsed(published: PublishedFormulary, drugs_json: str) -> FormularyInfo:
    """The published drugs; the server checked them, but a newer server's formulary may use a unit or route
    this app does not know yet: then the defaults stay in force, and the line says why."""
    try:
        return FormularyInfo(parse_formulary(json.loads(drugs_json)), source_line(published), reviewed=True)
    except (FormularyError, ValueError):
        return FormularyInfo(DEFAULT_FORMULARY, f"{published.label} (version {published.version}) cannot be read "
                             f"by this version of the app: update it. {DEFAULT_NOTICE}", reviewed=False)


_NEWEST = (select(FormularyVersion.id, FormularyVersion.version, FormularyVersion.label,
                  FormularyVersion.published_by_name, FormularyVersion.published_at)
           .order_by(FormularyVersion.version.desc(), FormularyVersion.published_at.desc()).limit(1))
_KEEP = 8  # parsed versions kept (one is in force; the rest are stores opened by tests or re-read at a switch)
_PARSED: dict[str, FormularyInfo] = {}
_LOCK = threading.Lock()
