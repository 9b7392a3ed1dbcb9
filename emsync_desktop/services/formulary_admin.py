"""The admin's formulary: export the one in force as JSON, read an edited file, publish it to every device.

Publishing is a ``formulary.publish`` op in the outbox, like every change made on a device: the sync engine
sends it, the server checks it again and numbers it, and every device (this one too) gets it by the pull.
Until then the formulary in force does not change; ``answer`` reads what the server said.
Threading: ``FormularyAdmin`` on the DbRunner thread; ``read_formulary_file`` and ``write_formulary_file``
on a background thread (disk), never the GUI's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from emsync_desktop.domain.formulary import Formulary
from emsync_desktop.domain.formulary_parse import FormularyError, formulary_to_data, parse_formulary
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.exports import write_atomically
from emsync_desktop.services.formulary_store import FormularyInfo, PublishedFormulary, formulary_in_force
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.outbox import PENDING, enqueue
from emsync_desktop.sync.protocol import (
    MAX_FORMULARY_BYTES,
    MAX_FORMULARY_DRUGS,
    MAX_FORMULARY_LABEL_CHARS,
    FormularyPublishPayload,
    OpKind,
    OpResult,
)


class PublishRefused(ValueError):
    """Not sent: the message says why and what to do."""


@dataclass(frozen=True)
class PublishAnswer:
    """``state``: pending (not answered yet), applied (``version`` is in force once devices pull), rejected
    or conflict (``reason``, e.g. every problem the server found)."""

    state: str
    reason: str | None = None
    version: int | None = None


def read_formulary_file(path: Path) -> Formulary:
    """Background thread: the file's formulary, checked. Raises ``FormularyError`` naming every problem,
    or the one that stops the file being read at all (not JSON, not readable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FormularyError([f"{path.name} cannot be read: {error.strerror or error}."]) from None
    except UnicodeDecodeError:
        raise FormularyError([f"{path.name} is not text in UTF-8: save it as UTF-8 JSON."]) from None
    except json.JSONDecodeError as error:
        raise FormularyError([f"{path.name} is not valid JSON: {error.msg} at line {error.lineno}, column "
                              f"{error.colno}."]) from None
    return parse_formulary(data)


def write_formulary_file(drugs: Formulary, path: Path) -> Path:
    """Background thread: ``drugs`` as the JSON an admin edits and imports again."""
    text = json.dumps(formulary_to_data(drugs), indent=2, ensure_ascii=False)
    return write_atomically(path, (text + "\n").encode("utf-8"))


class FormularyAdmin:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._clock = clock

    def in_force(self) -> tuple[FormularyInfo, PublishedFormulary | None]:
        """The formulary in force on this device, and which published version it is (None: the defaults)."""
        with self._store.sessions.begin() as session:
            return formulary_in_force(session)

    def publish(self, drugs: Formulary, label: str) -> str:
        """Queue ``drugs`` under ``label`` for the server, in one transaction; returns the op's id (for
        ``answer``). Raises ``PublishRefused`` (not an admin, no name, too big, one still waiting)."""
        name = " ".join(label.split())
        self._check(name, len(drugs))
        payload = FormularyPublishPayload(label=name, drugs=formulary_to_data(drugs))
        if len(payload.model_dump_json()) > MAX_FORMULARY_BYTES:
            raise PublishRefused(f"The formulary is too big to send (over {MAX_FORMULARY_BYTES // 1000} kB): "
                                 "shorten its texts (sources, forms, synonyms).")
        with self._store.sessions.begin() as session:
            if session.scalar(_WAITING) is not None:
                raise PublishRefused("A formulary is still waiting for the server's answer: publish again once "
                                     "it is answered.")
            row = enqueue(session, user_id=self._user.id, kind=OpKind.FORMULARY_PUBLISH, entity_id=new_id(),
                          payload=payload, now=self._clock())
            return row.op_id

    def answer(self, op_id: str) -> PublishAnswer:
        """What the server said about the publish ``op_id`` (pending until it answered)."""
        with self._store.sessions.begin() as session:
            row = session.scalars(select(OutboxOp).where(OutboxOp.op_id == op_id)).one()
            version = OpResult.model_validate_json(row.result).version if row.result else None
            return PublishAnswer(row.state, row.reason, version)

    def _check(self, name: str, count: int) -> None:
        if self._user.role is not Role.ADMIN:
            raise PublishRefused("Only an administrator may publish the formulary.")
        if not name:
            raise PublishRefused("Give the formulary a name, e.g. the service, the month and who reviewed it.")
        if len(name) > MAX_FORMULARY_LABEL_CHARS:
            raise PublishRefused(f"The name is too long: keep it to {MAX_FORMULARY_LABEL_CHARS} characters.")
        if count > MAX_FORMULARY_DRUGS:
            raise PublishRefused(f"{count} drugs: a formulary holds at most {MAX_FORMULARY_DRUGS}.")


_WAITING = select(OutboxOp.op_id).where(OutboxOp.kind == OpKind.FORMULARY_PUBLISH.value,
                                        OutboxOp.state == PENDING).limit(1)
