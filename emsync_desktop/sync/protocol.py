"""Wire protocol between devices and the sync server (DESIGN.md section 4).

Imported by the client and by ``sync_server`` (never copied). Pydantic models only:
no Qt, no SQL, no I/O. Every op carries a client-chosen ``op_id``; the server applies
an op at most once and answers a repeat with the stored result.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from emsync_desktop.domain.lifecycle import BookingState, TransferState

MAX_OPS_PER_PUSH = 500
MAX_BODY_BYTES = 1_000_000
MAX_PULL_LIMIT = 1000
MAX_INT64 = 2**63 - 1  # sequence numbers and versions are stored as 64-bit integers

Id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
ShortText = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Unit = Literal["ICU", "HDU", "ER", "WARD"]
BedStatus = Literal["available", "reserved", "occupied", "cleaning", "pending_discharge", "blocked", "isolation",
                    "out_of_service"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpKind(StrEnum):
    TRANSFER_REQUEST = "transfer.request"
    TRANSFER_TRANSITION = "transfer.transition"
    BOOKING_HOLD = "booking.hold"
    BOOKING_RELEASE = "booking.release"
    HANDOFF_ADD = "handoff.add"
    BED_SET_STATUS = "bed.set_status"
    HANDOFF_ACK = "handoff.ack"
    TRANSFER_REDIRECT = "transfer.redirect"
    IMAGING_ADD = "imaging.add"
    TRANSFER_ETA = "transfer.eta"


class TransferRequestPayload(_Strict):
    encounter_id: Id
    destination_hospital_id: Id
    unit: Unit
    eta_s: Annotated[int, Field(ge=0, le=86_400)] | None = None
    severity: Literal["Critical", "Moderate", "Low urgency"] | None = None
    summary: ShortText = ""


class TransferTransitionPayload(_Strict):
    target: TransferState
    reason: ShortText = ""
    bed_id: Id | None = None


class TransferRedirectPayload(_Strict):
    """Coordinator only: release the transfer's bed, hold one of ``unit`` at the new hospital under
    ``booking_id``, and send the transfer there as PENDING; all or nothing."""

    destination_hospital_id: Id
    unit: Unit
    booking_id: Id
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class TransferEtaPayload(_Strict):
    """The crew's device recomputed the arrival (e.g. after a redirect): ``eta_s`` is counted, like the
    request's, from when the transfer was requested; ``source`` says where the travel time came from."""

    eta_s: Annotated[int, Field(ge=0, le=86_400)]
    source: Annotated[str, StringConstraints(max_length=64)] = ""


class BookingHoldPayload(_Strict):
    transfer_id: Id
    hospital_id: Id
    unit: Unit


class BookingReleasePayload(_Strict):
    reason: ShortText = ""


class HandoffAddPayload(_Strict):
    transfer_id: Id
    version: Annotated[int, Field(ge=1, le=1000)]
    situation: LongText
    background: LongText
    assessment: LongText
    recommendation: LongText


class HandoffAckPayload(_Strict):
    """The signed-in nurse (or coordinator) has read the handoff; who and when are the server's."""


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MAX_BLOB_BYTES = 256 * 1024 * 1024
BLOB_CHUNK_BYTES = 512 * 1024  # one PUT each; under MAX_BODY_BYTES


class ImagingAddPayload(_Strict):
    """A radiograph analysed at the hospital, kept with a transfer. The file follows by content hash
    (``/blobs/{sha256}``), after the small ops."""

    transfer_id: Id
    sha256: Sha256
    size_bytes: Annotated[int, Field(ge=1, le=MAX_BLOB_BYTES)]
    source_name: Annotated[str, StringConstraints(max_length=256)]
    kind: Literal["DICOM", "PNG", "JPEG"]
    modality: Annotated[str, StringConstraints(max_length=16)] = ""
    description: ShortText = ""
    model_name: Annotated[str, StringConstraints(max_length=64)]
    model_version: Annotated[str, StringConstraints(max_length=64)]
    probabilities: Annotated[dict[Annotated[str, StringConstraints(max_length=64)], Annotated[float, Field(
        ge=0, le=1)]], Field(min_length=1, max_length=32)]
    heat_map_class: Annotated[str, StringConstraints(max_length=64)]
    demonstration: bool = False  # the model was a demonstration model: every screen says so
    heat_map: Annotated[list[Annotated[list[Annotated[float, Field(ge=0, le=1)]], Field(max_length=64)]],
                        Field(max_length=64)]


class BlobStatus(_Strict):
    sha256: str
    received: int
    complete: bool


class BedSetStatusPayload(_Strict):
    status: BedStatus


PAYLOADS: dict[OpKind, type[_Strict]] = {
    OpKind.TRANSFER_REQUEST: TransferRequestPayload,
    OpKind.TRANSFER_TRANSITION: TransferTransitionPayload,
    OpKind.BOOKING_HOLD: BookingHoldPayload,
    OpKind.BOOKING_RELEASE: BookingReleasePayload,
    OpKind.HANDOFF_ADD: HandoffAddPayload,
    OpKind.BED_SET_STATUS: BedSetStatusPayload,
    OpKind.HANDOFF_ACK: HandoffAckPayload,
    OpKind.TRANSFER_REDIRECT: TransferRedirectPayload,
    OpKind.IMAGING_ADD: ImagingAddPayload,
    OpKind.TRANSFER_ETA: TransferEtaPayload,
}


class Op(_Strict):
    """One change made on a device, queued in its outbox."""

    op_id: Id
    device_id: Id
    device_seq: Annotated[int, Field(ge=1, le=MAX_INT64)]
    kind: OpKind
    entity_id: Id
    payload: dict[str, Any]
    base_version: Annotated[int, Field(ge=0, le=MAX_INT64)] | None = None
    hlc: Annotated[str, StringConstraints(max_length=64)] = ""

    def parsed_payload(self) -> _Strict:
        """The payload validated against its kind's model. Raises pydantic.ValidationError."""
        return PAYLOADS[self.kind].model_validate(self.payload)


class PushRequest(_Strict):
    ops: Annotated[list[Op], Field(max_length=MAX_OPS_PER_PUSH)]


class Alternative(_Strict):
    hospital_id: str
    name: str
    unit: str
    free_beds: int
    distance_km: float


class OpResult(_Strict):
    """The server's answer to one op. The client marks the op done only on this."""

    op_id: str
    status: Literal["applied", "rejected", "conflict"]
    version: int | None = None
    reason: str | None = None
    alternatives: list[Alternative] = []
    current: dict[str, Any] | None = None


class PushResponse(_Strict):
    results: list[OpResult]
    cursor: int


class LivePush(PushRequest):
    """A push over the live channel (``/sync/live``) instead of ``POST /sync/push``: the same ops get
    the same answers. It carries the access token, checked like the HTTP bearer, and an id that the
    answer (``LivePushed`` or ``LiveRefused``) repeats."""

    type: Literal["push"] = "push"
    request_id: Annotated[int, Field(ge=0, le=MAX_INT64)]
    token: Annotated[str, StringConstraints(max_length=4096)]


class LivePushed(PushResponse):
    type: Literal["pushed"] = "pushed"
    request_id: int


class LiveRefused(_Strict):
    """A live push the server would not take, nothing of it applied. ``status`` is what ``POST /sync/push``
    would have answered (401 sign in again, 422 malformed, 503 try again later)."""

    type: Literal["refused"] = "refused"
    request_id: int | None
    status: int
    detail: str


class LiveCursor(_Strict):
    """Sent on the live channel whenever the change feed moves: pull up to ``cursor``."""

    cursor: int


class Change(_Strict):
    seq: int
    entity: Literal["bed", "transfer", "booking", "handoff", "imaging"]
    entity_id: str
    version: int
    data: dict[str, Any]
    at: datetime | None = None  # when the server recorded it (older servers do not say)


class PullResponse(_Strict):
    changes: list[Change]
    cursor: int
    more: bool


# The refusal (HTTP 403, live close code 4403) of everything a disabled account asks; the desktop shows it as is.
ACCOUNT_DISABLED = "This account is disabled: ask your administrator."
LIVE_CLOSE_ACCOUNT_DISABLED = 4403


class LoginRequest(_Strict):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class RefreshRequest(_Strict):
    refresh_token: Annotated[str, StringConstraints(max_length=2048)]


class UserPublic(_Strict):
    id: str
    username: str
    display_name: str
    role: str
    hospital_id: str | None
    ambulance_unit: str | None


class TokenResponse(_Strict):
    access_token: str
    refresh_token: str
    expires_in_s: int
    user: UserPublic


class AccountStatus(_Strict):
    username: str
    disabled: bool


class ErrorBody(_Strict):
    detail: str


__all__ = [
    "BookingState",
    "TransferState",
]
