"""Wire protocol between devices and the sync server (DESIGN.md section 4).

Imported by the client and by ``sync_server`` (never copied). Pydantic models only:
no Qt, no SQL, no I/O. Every op carries a client-chosen ``op_id``; the server applies
an op at most once and answers a repeat with the stored result.

Every integer is a JSON integer as the OpenAPI document's ``integer`` means it (JSON Schema): ``3`` or
``3.0``, never ``true`` or ``"3"`` (pydantic's lax mode would take both as 3): ``WireInt``, ``JSON_INTEGER``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from emsync_desktop.domain.ecg_file import MAX_ECG_BYTES
from emsync_desktop.domain.history import WEIGHT_MAX_KG, WEIGHT_MIN_KG, AnswerStatus, WeightKind
from emsync_desktop.domain.lifecycle import BookingState, TransferState
from emsync_desktop.domain.messages import MAX_READ_MARKS, MAX_TEXT_CHARS
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.domain.triage import GROUP_NAMES
from emsync_desktop.sync.protocol_blood import (
    BLOOD_PAR_ENTITY,
    BLOOD_REQUEST_ENTITY,
    BLOOD_UNIT_ENTITY,
    DONOR_ENTITY,
    BloodAllocatePayload,
    BloodCancelPayload,
    BloodIssuePayload,
    BloodParSetPayload,
    BloodRequestPayload,
    BloodTransfusePayload,
    BloodUnitAddPayload,
    BloodUnitMovePayload,
    BloodUnitSendPayload,
    DonorDeferPayload,
    DonorDonationPayload,
    DonorRegisterPayload,
)
from emsync_desktop.sync.protocol_tasks import WARD_TASK_ENTITY, TaskCreatePayload, TaskMovePayload
from emsync_desktop.sync.wire import (
    JSON_INTEGER,
    MAX_WIRE_INT,
    Id,
    LongText,
    ShortText,
    Strict,
    WireInt,
    _json_number,
)

MAX_OPS_PER_PUSH = 500
MAX_BODY_BYTES = 1_000_000
MAX_PULL_LIMIT = 1000
Unit = Literal["ICU", "HDU", "ER", "WARD"]
BedStatus = Literal["available", "reserved", "occupied", "cleaning", "pending_discharge", "blocked", "isolation",
                    "out_of_service"]


_Strict = Strict


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
    RECORD_TIMELINE = "record.timeline"
    RECORD_MEDICATION = "record.medication"
    RECORD_PROCEDURE = "record.procedure"
    RECORD_HISTORY = "record.history"
    FORMULARY_PUBLISH = "formulary.publish"
    TRANSFER_POSITION = "transfer.position"
    MESSAGE_SEND = "message.send"
    MESSAGE_READ = "message.read"
    BLOOD_UNIT_ADD = "blood.unit_add"
    BLOOD_UNIT_MOVE = "blood.unit_move"
    BLOOD_REQUEST = "blood.request"
    BLOOD_ALLOCATE = "blood.allocate"
    BLOOD_ISSUE = "blood.issue"
    BLOOD_TRANSFUSE = "blood.transfuse"
    BLOOD_CANCEL = "blood.cancel"
    BLOOD_UNIT_SEND = "blood.unit_send"
    BLOOD_PAR_SET = "blood.par_set"
    DONOR_REGISTER = "donor.register"
    DONOR_DONATION = "donor.donation"
    DONOR_DEFER = "donor.defer"
    TASK_CREATE = "task.create"
    TASK_MOVE = "task.move"


class TransferRequestPayload(_Strict):
    encounter_id: Id
    destination_hospital_id: Id
    unit: Unit
    eta_s: Annotated[int, Field(ge=0, le=86_400), JSON_INTEGER] | None = None
    severity: Literal["Critical", "Moderate", "Low urgency"] | None = None
    summary: ShortText = ""
    # The case mix (issue 25): bands and groups only, never the age or the complaint's text; None: not recorded.
    age_band: Literal["0-17", "18-39", "40-64", "65-79", "80+"] | None = None
    sex: Literal["female", "male", "other"] | None = None
    complaint_group: Annotated[str, StringConstraints(max_length=32)] | None = None

    @field_validator("complaint_group")
    @classmethod
    def _known_group(cls, value: str | None) -> str | None:
        if value is not None and value not in GROUP_NAMES:
            raise ValueError(f"unknown complaint group {value!r}; one of {', '.join(GROUP_NAMES)}")
        return value


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

    eta_s: Annotated[int, Field(ge=0, le=86_400), JSON_INTEGER]
    source: Annotated[str, StringConstraints(max_length=64)] = ""


class TransferPositionPayload(_Strict):
    """Where the crew's ambulance was (``at``, the device's fix) while ``transfer_id`` is under way: kept as the
    transfer's track and shown to the destination's staff and the desks (entity ``AMBULANCE_POSITION_ENTITY``).
    The op's own ``entity_id`` is the report's id; a device keeps only its newest unsent report per transfer."""

    transfer_id: Id
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    at: AwareDatetime
    source: Annotated[str, StringConstraints(max_length=32)] = ""


class MessageSendPayload(_Strict):
    """A message on ``transfer_id``'s thread (entity ``MESSAGE_ENTITY``; the op's ``entity_id`` is the message's
    id). ``quick_reply``: the key of the quick reply it came from (``domain.messages.QUICK_REPLIES``), if any;
    ``sent_at``: when it was written on the device. Rules for the text: ``domain.messages.check_text``."""

    transfer_id: Id
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]
    quick_reply: Annotated[str, StringConstraints(max_length=32)] | None = None
    urgent: bool = False
    sent_at: AwareDatetime


class MessageReadPayload(_Strict):
    """Read marks from the signed-in user on messages of others; ``acknowledge``: an urgent message's explicit
    acknowledgement (which also marks it read). The op's ``entity_id`` is the mark's own id. ``at``: when it was
    read on the device (an acknowledgement made offline at 14:03 says 14:03, not when it reached the server)."""

    message_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_READ_MARKS)]
    acknowledge: bool = False
    at: AwareDatetime | None = None


class BookingHoldPayload(_Strict):
    transfer_id: Id
    hospital_id: Id
    unit: Unit


class BookingReleasePayload(_Strict):
    reason: ShortText = ""


class HandoffAddPayload(_Strict):
    transfer_id: Id
    version: Annotated[int, Field(ge=1, le=1000), JSON_INTEGER]
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
    size_bytes: Annotated[int, Field(ge=1, le=MAX_BLOB_BYTES), JSON_INTEGER]
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
    # a multi-label model's threshold per label, as the findings were read (None: single-label)
    thresholds: Annotated[dict[Annotated[str, StringConstraints(max_length=64)], Annotated[float, Field(
        gt=0, lt=1)]], Field(max_length=32)] | None = None
    heat_map_method: Annotated[str, StringConstraints(max_length=200)] = ""


class BlobStatus(_Strict):
    sha256: str
    received: WireInt
    complete: bool


class BedSetStatusPayload(_Strict):
    status: BedStatus


# The case record (issue 19): append-only entries of one encounter, written by its crew only; the entry
# id is the op's ``entity_id``. Who recorded an entry is the server's (the signed-in account), not the payload's.
Finite = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_json_number)]


class RecordTimelinePayload(_Strict):
    """A timeline step stamped at ``at``; with ``replaces``, an edit of that stamp, whose time was
    ``edited_from`` (kept: the edit is audited, never an overwrite)."""

    encounter_id: Id
    step: TimelineStep
    at: AwareDatetime
    replaces: Id | None = None
    edited_from: AwareDatetime | None = None


class DoseWarningWire(_Strict):
    kind: Annotated[str, StringConstraints(max_length=32)]
    message: ShortText


class RecordMedicationPayload(_Strict):
    """A drug given, as typed; ``free_text`` when it is not in the formulary. ``warnings``: the dose-check
    warnings the crew saw (they never block)."""

    encounter_id: Id
    drug: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    free_text: bool
    dose_value: Annotated[Finite, Field(ge=0, le=1_000_000)]
    dose_unit: Annotated[str, StringConstraints(max_length=16)]
    route: Annotated[str, StringConstraints(max_length=32)]
    given_at: AwareDatetime
    warnings: Annotated[list[DoseWarningWire], Field(max_length=16)] = []


class ProcedureExtras(_Strict):
    """The extra values a procedure may carry, in the bounds of ``domain.procedures``. An attached ECG file
    is named by ``ecg_file`` and follows by content hash (``/blobs/{ecg_sha256}``) once the server accepted
    the entry, sent by its author: the hash and the size come together, with the name."""

    energy_j: Annotated[Finite, Field(ge=1, le=360)] | None = None
    rate_per_min: Annotated[Finite, Field(ge=30, le=180)] | None = None
    current_ma: Annotated[Finite, Field(ge=1, le=200)] | None = None
    time_on: AwareDatetime | None = None
    ecg_file: Annotated[str, StringConstraints(max_length=256)] | None = None
    ecg_sha256: Sha256 | None = None
    ecg_size_bytes: Annotated[int, Field(ge=1, le=MAX_ECG_BYTES), JSON_INTEGER] | None = None

    @model_validator(mode="after")
    def _file_whole(self) -> ProcedureExtras:
        if (self.ecg_sha256 is None) != (self.ecg_size_bytes is None):
            raise ValueError("ecg_sha256 and ecg_size_bytes come together")
        if self.ecg_sha256 is not None and not self.ecg_file:
            raise ValueError("an attached ECG file needs its name (ecg_file)")
        return self

    @model_serializer(mode="wrap")
    def _without_absent_file(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """No file, no file fields: an entry without one reads exactly as before they existed, so a
        server not yet upgraded (which forbids fields it does not know) still takes it."""
        data: dict[str, Any] = handler(self)
        for name in ("ecg_sha256", "ecg_size_bytes"):
            if data.get(name, "") is None:
                del data[name]
        return data


class RecordProcedurePayload(_Strict):
    encounter_id: Id
    procedure: Procedure
    done_at: AwareDatetime
    extras: ProcedureExtras = ProcedureExtras()


class ListAnswerWire(_Strict):
    status: AnswerStatus
    items: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=200)]], Field(max_length=50)] = []


class RecordHistoryPayload(_Strict):
    """The SAMPLE history as saved, whole: each save is a new entry and the newest is current."""

    encounter_id: Id
    signs_symptoms: Annotated[str, StringConstraints(max_length=2000)] = ""
    allergies: ListAnswerWire
    medications: ListAnswerWire
    past_history: ListAnswerWire
    last_oral_intake_at: AwareDatetime | None = None
    last_oral_intake: ShortText = ""
    events: Annotated[str, StringConstraints(max_length=2000)] = ""
    weight_kg: Annotated[Finite, Field(ge=WEIGHT_MIN_KG, le=WEIGHT_MAX_KG)] | None = None
    weight_kind: WeightKind | None = None


# The service's formulary (issue 19): an admin publishes it whole; the server checks it with
# ``domain.formulary_parse.parse_formulary``, numbers it (1, 2, ...) and publishes it to every device, where the
# newest version is in force. The formulary's id is the op's ``entity_id``.
MAX_FORMULARY_DRUGS = 500
MAX_FORMULARY_LABEL_CHARS = 200
MAX_FORMULARY_BYTES = 400_000  # as JSON: well under MAX_BODY_BYTES, so the push that carries it always fits
FORMULARY_ENTITY = "formulary"
HOSPITAL_ENTITY = "hospital"  # the network is server data: hospitals (created, renamed, closed) reach every device
# The network's beds in use and transfers requested, per unit and hour, kept by the server (``capacity_hours``)
# for the desks' trends; entity id "2026-12-05T14/ICU" (the hour's start, UTC).
CAPACITY_HOUR_ENTITY = "capacity_hour"

# A device's first pull is a snapshot: the newest version of each record in its scope, and of records closed
# long ago only those that stay in every scope (hospitals, beds, the formulary, open transfers and their holds).
RECENT_HOURS = 48

# The feed's entity kinds grow; a client says which generation it reads (``/sync/pull?feed=N``) and is sent no
# kind it cannot parse (an older client's ``Change`` refuses unknown kinds, which stopped its sync).
FEED_VERSION = 7
FEED_2_ENTITIES = (HOSPITAL_ENTITY, "capacity_hour")
# Where an ambulance on a transfer last was (entity id: the transfer's), for its destination and the desks.
AMBULANCE_POSITION_ENTITY = "position"
POSITION_VERSION_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # a position's version: seconds from this to its fix
FEED_3_ENTITIES = (AMBULANCE_POSITION_ENTITY,)
# A message on a transfer's thread with its read marks (entity id: the message's), for its crew, its destination
# ward and the desks.
MESSAGE_ENTITY = "message"
FEED_4_ENTITIES = (MESSAGE_ENTITY,)
# The blood bank's units and requests (entity ids: theirs), for the hospital's staff, a request's author, the desks;
# its donors, for its own staff only; its par levels (entity id: the hospital's).
FEED_5_ENTITIES = (BLOOD_UNIT_ENTITY, BLOOD_REQUEST_ENTITY, DONOR_ENTITY, BLOOD_PAR_ENTITY)
# The newest forecast of a hospital unit's load, fitted on the server (issue 25), for the desks; entity id
# ``domain.ids.series_id`` of the hospital, unit and kind (``domain.forecast.SeriesKind``).
FORECAST_ENTITY = "forecast"
# A UTC day's transfers counted by age band, sex, complaint group and severity, for the desks; entity id: the day.
CASE_MIX_ENTITY = "case_mix_day"
FEED_6_ENTITIES = (FORECAST_ENTITY, CASE_MIX_ENTITY)
# A ward's tasks (issue 26; entity id: the task's), for its hospital's nurses and the desks.
FEED_7_ENTITIES = (WARD_TASK_ENTITY,)


class FormularyPublishPayload(_Strict):
    """``drugs``: the list ``parse_formulary`` reads (every problem in it is named in the refusal);
    ``label``: the admin's name for it, e.g. "Kochi EMS formulary 2026-11, reviewed by Dr X". Who published
    it, when, and its version number are the server's."""

    label: Annotated[str, StringConstraints(min_length=1, max_length=MAX_FORMULARY_LABEL_CHARS)]
    drugs: Annotated[list[Any], Field(max_length=MAX_FORMULARY_DRUGS)]


RECORD_ENTITIES = {"record.timeline": "timeline", "record.medication": "medication",
                   "record.procedure": "procedure", "record.history": "history"}
"""Op kind -> the feed's entity name for its entries."""


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
    OpKind.RECORD_TIMELINE: RecordTimelinePayload,
    OpKind.RECORD_MEDICATION: RecordMedicationPayload,
    OpKind.RECORD_PROCEDURE: RecordProcedurePayload,
    OpKind.RECORD_HISTORY: RecordHistoryPayload,
    OpKind.FORMULARY_PUBLISH: FormularyPublishPayload,
    OpKind.TRANSFER_POSITION: TransferPositionPayload,
    OpKind.MESSAGE_SEND: MessageSendPayload,
    OpKind.MESSAGE_READ: MessageReadPayload,
    OpKind.BLOOD_UNIT_ADD: BloodUnitAddPayload,
    OpKind.BLOOD_UNIT_MOVE: BloodUnitMovePayload,
    OpKind.BLOOD_REQUEST: BloodRequestPayload,
    OpKind.BLOOD_ALLOCATE: BloodAllocatePayload,
    OpKind.BLOOD_ISSUE: BloodIssuePayload,
    OpKind.BLOOD_TRANSFUSE: BloodTransfusePayload,
    OpKind.BLOOD_CANCEL: BloodCancelPayload,
    OpKind.BLOOD_UNIT_SEND: BloodUnitSendPayload,
    OpKind.BLOOD_PAR_SET: BloodParSetPayload,
    OpKind.DONOR_REGISTER: DonorRegisterPayload,
    OpKind.DONOR_DONATION: DonorDonationPayload,
    OpKind.DONOR_DEFER: DonorDeferPayload,
    OpKind.TASK_CREATE: TaskCreatePayload,
    OpKind.TASK_MOVE: TaskMovePayload,
}


class Op(_Strict):
    """One change made on a device, queued in its outbox."""

    op_id: Id
    device_id: Id
    device_seq: Annotated[int, Field(ge=1, le=MAX_WIRE_INT), JSON_INTEGER]
    kind: OpKind
    entity_id: Id
    payload: dict[str, Any]
    base_version: Annotated[int, Field(ge=0, le=MAX_WIRE_INT), JSON_INTEGER] | None = None
    hlc: Annotated[str, StringConstraints(max_length=64)] = ""

    def parsed_payload(self) -> _Strict:
        """The payload validated against its kind's model. Raises pydantic.ValidationError."""
        return PAYLOADS[self.kind].model_validate(self.payload)

    def nul_reason(self) -> str | None:
        """Why this op is refused before anything else, when a text anywhere in it (a value or a key of
        its payload) holds a NUL character: no database keeps one (PostgreSQL refuses it outright), so it
        would fail every retry and hold up the ops behind it. None when clean."""
        where = nul_path(self.payload, "payload") or nul_path(self.entity_id, "entity_id")
        if where is None:
            return None
        return f"Text with a NUL character (\\x00) in {where[:200]}: remove it and send the change again."


def nul_path(value: Any, path: str) -> str | None:
    """The path of the first text holding a NUL character inside ``value`` (dicts, lists, strings)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                return f"{path} (a field name)"
            found = nul_path(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


MAX_LOOKUP_DAYS = 31  # one look-up of old transfers spans at most a month (``/sync/lookup/transfers``)
MAX_LOOKUP_TRANSFERS = 200  # and lists at most this many, newest first


class AnsweredThrough(_Strict):
    """Every op of this device up to ``device_seq`` has its answer stored on the device: it will not send them
    again, and the server may forget those answers (``sync_server/answers.py``)."""

    device_id: Id
    device_seq: Annotated[int, Field(ge=0, le=MAX_WIRE_INT), JSON_INTEGER]


class PushRequest(_Strict):
    ops: Annotated[list[Op], Field(max_length=MAX_OPS_PER_PUSH)]
    answered_through: AnsweredThrough | None = None


class Alternative(_Strict):
    hospital_id: str
    name: str
    unit: str
    free_beds: WireInt
    distance_km: float


class OpResult(_Strict):
    """The server's answer to one op. The client marks the op done only on this."""

    op_id: str
    # deferred: not applied now and not stored (e.g. its transfer is not on the server yet); the device
    # keeps the op and sends it again later.
    status: Literal["applied", "rejected", "conflict", "deferred"]
    version: WireInt | None = None
    reason: str | None = None
    alternatives: list[Alternative] = []
    current: dict[str, Any] | None = None


class PushResponse(_Strict):
    results: list[OpResult]
    cursor: WireInt


class LivePush(PushRequest):
    """A push over the live channel (``/sync/live``) instead of ``POST /sync/push``: the same ops get
    the same answers. It carries the access token, checked like the HTTP bearer, and an id that the
    answer (``LivePushed`` or ``LiveRefused``) repeats."""

    type: Literal["push"] = "push"
    request_id: Annotated[int, Field(ge=0, le=MAX_WIRE_INT), JSON_INTEGER]
    token: Annotated[str, StringConstraints(max_length=4096)]


class LivePushed(PushResponse):
    type: Literal["pushed"] = "pushed"
    request_id: WireInt


class LiveRefused(_Strict):
    """A live message the server would not take, nothing of it applied; the connection stays. ``status`` is
    what ``POST /sync/push`` would have answered (401 sign in again, 413 over ``MAX_BODY_BYTES``, 422
    malformed: not JSON, nested too deeply, binary, another shape or type; 503 try again later).
    ``request_id`` is the message's, when it can be read."""

    type: Literal["refused"] = "refused"
    request_id: WireInt | None
    status: WireInt
    detail: str


class LiveCursor(_Strict):
    """Sent on the live channel whenever the change feed moves: pull up to ``cursor``."""

    cursor: WireInt


class Change(_Strict):
    seq: WireInt
    entity: Literal["bed", "transfer", "booking", "handoff", "imaging", "timeline", "medication", "procedure",
                    "history", "formulary", "hospital", "capacity_hour", "position", "message",
                    "blood_unit", "blood_request", "donor", "blood_par", "forecast", "case_mix_day", "ward_task"]
    entity_id: str
    version: WireInt
    data: dict[str, Any]
    at: datetime | None = None  # when the server recorded it (older servers do not say)


class PullResponse(_Strict):
    changes: list[Change]
    cursor: WireInt
    more: bool


# The refusal (HTTP 403, live close code 4403) of everything a disabled account asks; the desktop shows it as is.
ACCOUNT_DISABLED = "This account is disabled: ask your administrator."
LIVE_CLOSE_ACCOUNT_DISABLED = 4403


class LoginRequest(_Strict):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
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
    expires_in_s: WireInt
    user: UserPublic


ChallengeToken = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
MfaCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]  # 6 digits, or a recovery code


class MfaChallenge(_Strict):
    """The password was right and a second step is due before any token is issued: ``code`` (send a TOTP
    or recovery code to /auth/mfa/verify) or ``enrol`` (the account must set up an authenticator app:
    /auth/mfa/enrol, then /auth/mfa/enrol/confirm). The challenge token is good for that step only."""

    mfa: Literal["code", "enrol"]
    challenge_token: str
    expires_in_s: int


class MfaCodeRequest(_Strict):
    challenge_token: ChallengeToken
    code: MfaCode


class MfaEnrolRequest(_Strict):
    challenge_token: ChallengeToken


class MfaSetupRequest(_Strict):
    """A signed-in account without a second factor turns one on; the password is asked again."""

    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class MfaEnrolment(_Strict):
    """Answered once per enrolment start: the secret for the authenticator app, as text to type and as an
    ``otpauth://`` URI for the QR code. The server never sends it again."""

    secret: str
    otpauth_uri: str


class MfaEnrolled(_Strict):
    """The second factor is on. The recovery codes are shown this once (the server keeps only hashes)."""

    tokens: TokenResponse
    recovery_codes: list[str]
class AccountStatus(_Strict):
    username: str
    disabled: bool


class ErrorBody(_Strict):
    detail: str


Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class AuditAnchor(_Strict):
    """A signed head of the server's audit chain: event ``seq`` had the keyed hash ``mac`` when the server
    signed it (``sig``, with a key derived from its audit key) at ``at``. Coordinator and admin desks keep
    the latest ones; a server whose chain no longer matches an anchor was truncated or rewritten."""

    seq: Annotated[int, Field(ge=1, le=MAX_WIRE_INT), JSON_INTEGER]
    mac: Hex64
    at: AwareDatetime
    sig: Hex64


class AuditAnchors(_Strict):
    anchors: list[AuditAnchor]


class AuditVerifyRequest(_Strict):
    """Anchors held by the asking desk, checked along with the server's own."""

    anchors: Annotated[list[AuditAnchor], Field(max_length=1000)] = []


class AuditVerification(_Strict):
    """The audit chain checked from its first event: ``verified_up_to`` is the last event found intact;
    when not ``ok``, ``first_broken_id`` names the first broken link and ``reason`` says what is wrong."""

    ok: bool
    events: int
    verified_up_to: int
    first_broken_id: int | None
    reason: str
    anchors_checked: int
    checked_at: datetime


__all__ = [
    "BookingState",
    "TransferState",
]
