"""Who may send and who may fetch a file (a radiograph, a 12-lead ECG), and how much one account may send.

A file is cited by a record that says who may see it: an imaging study (of a transfer) or a procedure
entry of a case's record (a 12-lead ECG, ``record_entries.file_sha256``).
- Sending needs a study or an entry the sender wrote that cites the file by hash and size (the op is
  applied before the file goes up: the desktop sends files only once their record is synced). The
  first chunk makes the account a sender of the file (``BlobSender``) and counts the whole file against
  its quota; a file over what is left is refused (413) before a byte is stored.
- Fetching needs a record the server has whose author sent the whole file, and that the reader may
  see: a study of a transfer the reader may see, or a procedure entry the feed gave the reader (its crew,
  the wards of the hospitals the case went to, the desks: ``feed.scope``). A record only cites a hash:
  a reader who cites someone else's hash in a record of their own has not sent the file, so that record
  holds nothing (a nurse of one hospital fetched another's X-ray so). A second ward that has the same
  file sends it whole once; the server checks it and keeps one copy.

Threading: ``accept_chunk`` runs on a worker thread (file and database I/O), under the store's lock of
that file and sender; its database writes are short transactions of their own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import RECORD_ENTITIES, BlobStatus, OpKind
from sync_server.blobs import BlobRefused, BlobStore
from sync_server.feed import CHANGES, scope
from sync_server.models import BlobSender, ImagingStudy, RecordEntry, Transfer, User

PROCEDURE_ENTITY = RECORD_ENTITIES[OpKind.RECORD_PROCEDURE.value]


def sender_status(store: BlobStore, sessions: sessionmaker[Session], user: User, sha256: str) -> BlobStatus:
    """How much of the file the server has from ``user``: complete once they sent it whole."""
    with sessions() as session:
        sender = session.get(BlobSender, (sha256, user.id))
    if sender is not None and sender.held_at is not None and store.has(sha256):
        return BlobStatus(sha256=sha256, received=sender.size_bytes, complete=True)
    return BlobStatus(sha256=sha256, received=store.received(sha256, user.id), complete=False)


def accept_chunk(store: BlobStore, sessions: sessionmaker[Session], write_sessions: sessionmaker[Session], *,
                 user: User, sha256: str, offset: int, total: int, data: bytes, quota_bytes: int) -> BlobStatus:
    """Store one chunk ``user`` sent; raises ``BlobRefused`` (403 no study or entry of theirs, 413 over
    quota, 409 wrong offset, 422 bad size or content)."""
    with store.lock(sha256, user.id):
        status = sender_status(store, sessions, user, sha256)
        if status.complete:
            return status  # a repeat of the last chunk: nothing to do
        with sessions() as session:
            _require_own_record(session, user, sha256, total)
        _become_sender(write_sessions, user, sha256, total, quota_bytes)
        try:
            received = store.append(sha256, user.id, offset, total, data)
        except BlobRefused as refused:
            if refused.dropped:  # nothing of it is kept: nor is it counted
                _forget_sender(write_sessions, user, sha256)
            raise
        if received == total:
            _mark_held(write_sessions, user, sha256)
        return BlobStatus(sha256=sha256, received=received, complete=received == total)


def may_fetch(session: Session, user: User, sha256: str) -> bool:
    """Whether ``user`` may fetch the file: a study of a transfer they may see, or a procedure entry the
    feed gave them, holds it (its author sent the whole file)."""
    holders = select(BlobSender.user_id).where(BlobSender.sha256 == sha256, BlobSender.held_at.is_not(None))
    return _study_holds(session, user, sha256, holders) or _entry_holds(session, user, sha256, holders)


def _study_holds(session: Session, user: User, sha256: str, holders: Select[tuple[str]]) -> bool:
    holding = select(ImagingStudy.id).where(ImagingStudy.sha256 == sha256, ImagingStudy.author_id.in_(holders))
    role = Role(user.role)
    if role not in (Role.COORDINATOR, Role.ADMIN):
        mine = Transfer.destination_hospital_id == user.hospital_id if role is Role.NURSE else \
            Transfer.requested_by == user.id
        holding = holding.join(Transfer, Transfer.id == ImagingStudy.transfer_id).where(mine)
    return session.scalar(holding.limit(1)) is not None


def _entry_holds(session: Session, user: User, sha256: str, holders: Select[tuple[str]]) -> bool:
    """The reader may read the entry exactly when the feed gave it to them (published, or published again
    to the hospital a redirect sent the case to)."""
    entries = select(RecordEntry.id).where(RecordEntry.file_sha256 == sha256, RecordEntry.author_id.in_(holders))
    seen = select(CHANGES.c.seq).where(CHANGES.c.entity_id.in_(entries), CHANGES.c.entity == PROCEDURE_ENTITY,
                                       scope(user))
    return session.scalar(seen.limit(1)) is not None


def _require_own_record(session: Session, user: User, sha256: str, total: int) -> None:
    studies = session.scalars(select(ImagingStudy.data).where(ImagingStudy.sha256 == sha256,
                                                              ImagingStudy.author_id == user.id)).all()
    entries = session.scalars(select(RecordEntry.data).where(RecordEntry.file_sha256 == sha256,
                                                             RecordEntry.author_id == user.id)).all()
    sizes = [data.get("size_bytes") for data in studies] + [_extras(data).get("ecg_size_bytes") for data in entries]
    if total not in sizes:
        raise BlobRefused("No study or record entry of yours cites this file with this size: a file is sent after "
                          "the record citing it, by its author.", 403)


def _extras(data: dict[str, object]) -> dict[str, object]:
    extras = data.get("extras")
    return extras if isinstance(extras, dict) else {}


def _become_sender(write_sessions: sessionmaker[Session], user: User, sha256: str, total: int,
                   quota_bytes: int) -> None:
    """Count the file against ``user``'s quota from its first chunk (once); 413 if it does not fit."""
    try:
        with write_sessions.begin() as session:
            if session.get(BlobSender, (sha256, user.id)) is not None:
                return
            # one account's first chunks are counted one at a time (PostgreSQL; SQLite writers queue anyway)
            session.execute(select(User.id).where(User.id == user.id).with_for_update())
            used = session.scalar(select(func.coalesce(func.sum(BlobSender.size_bytes), 0))
                                  .where(BlobSender.user_id == user.id)) or 0
            if used + total > quota_bytes:
                raise BlobRefused(f"Upload quota used up: this file needs {_mb(total)}, and {_mb(quota_bytes - used)}"
                                  f" of your {_mb(quota_bytes)} are left. Ask an administrator.", 413)
            session.add(BlobSender(sha256=sha256, user_id=user.id, size_bytes=total, started_at=datetime.now(UTC)))
    except IntegrityError:
        pass  # another request of the same account made the row meanwhile (another server process)


def _mark_held(write_sessions: sessionmaker[Session], user: User, sha256: str) -> None:
    with write_sessions.begin() as session:
        session.execute(update(BlobSender).where(BlobSender.sha256 == sha256, BlobSender.user_id == user.id)
                        .values(held_at=datetime.now(UTC)))


def _forget_sender(write_sessions: sessionmaker[Session], user: User, sha256: str) -> None:
    with write_sessions.begin() as session:
        session.execute(delete(BlobSender).where(BlobSender.sha256 == sha256, BlobSender.user_id == user.id))


def _mb(size_bytes: int) -> str:
    return f"{max(size_bytes, 0) / 2**20:.1f} MB"
