"""The blood bank's ops on the wire (issue 24): payloads of ``blood.*`` ops and the feed's entity names. Rules
they carry out: ``domain.blood`` (compatibility, shelf lives, the donation number) and ``domain.blood_flow`` (unit
and request states, the bedside check). Pydantic only."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from emsync_desktop.sync.wire import JSON_INTEGER, Id, ShortText, Strict

BLOOD_UNIT_ENTITY = "blood_unit"
BLOOD_REQUEST_ENTITY = "blood_request"

ComponentName = Literal["red_cells", "plasma", "platelets", "cryo", "whole_blood"]
AboName = Literal["O", "A", "B", "AB"]
UrgencyName = Literal["emergency", "urgent", "routine"]
MAX_UNITS_PER_REQUEST = 60  # a long massive transfusion is several packs: several requests
PatientName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
SecondId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
DinText = Annotated[str, StringConstraints(min_length=1, max_length=32)]  # as typed or scanned; checked by rule
UnitIds = Annotated[list[Id], Field(max_length=MAX_UNITS_PER_REQUEST)]


class BloodUnitAddPayload(Strict):
    """A bag registered at the signed-in blood-bank user's hospital (the op's ``entity_id`` is the unit's id).
    ``expires_at``: the label's expiry; None: collection plus the component's shelf life."""

    din: DinText
    product_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
    component: ComponentName
    abo: AboName
    rhd_positive: bool
    volume_ml: Annotated[int, Field(ge=1, le=1000), JSON_INTEGER]
    collected_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    location: Annotated[str, StringConstraints(max_length=64)] = ""


class BloodUnitMovePayload(Strict):
    """A unit put back on the shelf, quarantined, discarded or returned unused (``entity_id``: the unit's);
    every move but a release needs ``reason``."""

    target: Literal["available", "quarantined", "discarded", "returned"]
    reason: ShortText = ""


class BloodUnitSendPayload(Strict):
    """An available unit sent to another hospital's blood bank (``entity_id``: the unit's), e.g. O negative to a
    hospital that ran out; it is on their shelf from then on."""

    to_hospital_id: Id
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class BloodRequestPayload(Strict):
    """Components asked of a blood bank for one patient (``entity_id``: the request's). A nurse asks her own
    hospital's blood bank; a crew asks the destination of ``transfer_id`` (a pre-alert). ``abo`` None: group not
    known (group O red cells, AB plasma); ``childbearing``: a girl or woman who can bear children, or sex unknown."""

    transfer_id: Id | None = None
    patient_name: PatientName
    patient_second_id: SecondId
    abo: AboName | None = None
    rhd_positive: bool | None = None
    childbearing: bool
    urgency: UrgencyName
    mtp: bool = False
    counts: dict[ComponentName, Annotated[int, Field(ge=0, le=MAX_UNITS_PER_REQUEST), JSON_INTEGER]]
    reason: ShortText = ""


class BloodAllocatePayload(Strict):
    """The blood bank reserves units for a request (``entity_id``: the request's): the ones named, or, when
    ``unit_ids`` is empty, the server's choice (closest match, O negative kept, first to expire first) among
    identical and compatible units, and with ``shortage`` also those acceptable only in a shortage."""

    unit_ids: UnitIds = []
    shortage: bool = False


class BloodIssuePayload(Strict):
    """Reserved units leave the blood bank for the request's patient (``entity_id``: the request's)."""

    unit_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_UNITS_PER_REQUEST)]


class BloodTransfusePayload(Strict):
    """At the bedside (``entity_id``: the unit's): the bag's number as scanned or typed and the patient's two
    identifiers as read from the wristband, checked against the request's."""

    request_id: Id
    scanned_din: DinText
    patient_name: PatientName
    patient_second_id: SecondId
    started_at: AwareDatetime


class BloodCancelPayload(Strict):
    """The request is no longer needed (``entity_id``: the request's): its reserved units go back to the shelf."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


BLOOD_PAR_ENTITY = "blood_par"  # entity id: the hospital's
MAX_PAR_LINES = 40


class ParLevel(Strict):
    component: ComponentName
    abo: AboName
    rhd_positive: bool
    par: Annotated[int, Field(ge=0, le=10_000), JSON_INTEGER]


Count = Annotated[int, Field(ge=0, le=50), JSON_INTEGER]
Days = Annotated[int, Field(ge=1, le=730), JSON_INTEGER]


class PackSetting(Strict):
    """A massive-transfusion pack: units of each component (e.g. 6 : 6 : 1)."""

    red_cells: Count
    plasma: Count
    platelets: Count


class DonationDaysSetting(Strict):
    """The shortest gap after each kind of donation, in days (defaults: 56, 112, 7, 28)."""

    whole_blood: Days
    double_red_cells: Days
    platelets: Days
    plasma: Days


class BloodParSetPayload(Strict):
    """The blood bank's settings (``entity_id``: the hospital's id): its par levels, the whole table (a line not
    given is 0); its massive-transfusion pack and its donors' intervals (None: the defaults)."""

    levels: Annotated[list[ParLevel], Field(max_length=MAX_PAR_LINES)]
    pack: PackSetting | None = None
    donation_days: DonationDaysSetting | None = None


DONOR_ENTITY = "donor"
DonationName = Literal["whole_blood", "double_red_cells", "platelets", "plasma"]


class DonorRegisterPayload(Strict):
    """A donor on the signed-in blood-bank user's registry (``entity_id``: the donor's); ``last_given_at`` and
    ``last_kind``: their last donation elsewhere, if they say."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    abo: AboName
    rhd_positive: bool
    last_given_at: AwareDatetime | None = None
    last_kind: DonationName | None = None


class DonorDonationPayload(Strict):
    """The donor gave today (``entity_id``: the donor's); ``din``: the donation number, if known."""

    given_at: AwareDatetime
    kind: DonationName
    din: DinText | None = None


class DonorDeferPayload(Strict):
    """The donor may not give until ``until`` (None: the deferral is lifted), with the reason."""

    until: AwareDatetime | None
    reason: ShortText = ""
