"""NEMSIS v3.5.1 EMSDataSet: a closed case as a patient care report (issue 22). Pure standard library.

Validated against the official XSD by ``services.nemsis_export`` (lxml); this package only builds.
docs/decisions.md ("NEMSIS v3.5 patient care report") gives the reasons at more length.

Mapping (EMsync → NEMSIS)
- Agency (admin settings): state ID → dAgency.01, agency number → dAgency.02 and eResponse.01, ANSI state
  code → dAgency.04; the agency's standing service category (eResponse.05, default 2205001 emergency
  response), transport capability (eResponse.07, default 2207015 ground ALS) and response mode
  (eResponse.23, default 2223001 emergent): the XSD allows no not value there and EMsync records none per call.
- Case id → eRecord.01 (PCR number); PatientCareReport/@UUID is a name-based UUID5 of it (the XSD's
  UUID pattern refuses version 7). Software: EMsync / EMsync Desktop / version → eRecord.02-04.
- The ambulance unit of the crew member who opened the case → eResponse.13 and .14.
- eDispatch.01: 2301051 "No Other Appropriate Choice" — EMsync records no dispatch determinant and
  the XSD allows no not value.
- Timeline → eTimes: call received .01, en route .05, at scene .06, at patient .07, left scene .09, at
  destination .11, handed over .12. Unit notified (.03, required) is the dispatched stamp, else the call
  received, else when the case was opened. Back in service (.13, required) is when the case was closed.
- Patient: age in years (1-120) → ePatient.15/.16; date of birth → .17; sex female/male → .25
  (9919001/9919003). The name, phone and ID number are not exported: NEMSIS wants first and last name
  apart, a US-format phone and an SSN; splitting or reformatting would guess. The PCR number links back.
- Chief complaint → eSituation.03 Chief (Primary) + eSituation.04 (text, 255 characters).
- Vitals, one VitalGroup per set: SBP .06, DBP .07, HR .10, SpO2 .12, RR .14, glucose .18 (mg/dL), GCS
  total .23, temperature .24 (°C), AVPU .26, pain .27; integers rounded. ACVPU's C (new confusion) is
  sent as Alert (NEMSIS has AVPU only) and named in the narrative.
- Drugs → eMedications: time .01, prior to EMS care No .02, RxNorm ingredient .03 (CodeType 9924003)
  for the shipped formulary's drugs, route .04, dose .05 and unit .06 from NEMSIS's lists.
- Procedures → eProcedures: time .01, SNOMED CT .03 where the code is certain (codes.PROCEDURE_SNOMED).
- Disposition → eDisposition.27-.30 (codes.OUTCOME_CODES); a handed-over case with a transfer is a
  transport by this unit to the transfer's hospital (.01), ground ambulance (.16), ED (ER unit) or
  hospital bed (.21).
- eNarrative.01 carries in words what codes cannot: who gave or did what, drug and procedure names as
  typed (so an uncoded drug is not lost), procedure details, new confusion, the crew.

Not values
- 7701003 Not Recorded: a value that applies but EMsync has none for — a vitals value not measured
  (and the whole VitalGroup when no vitals were taken), GCS components, cardiac rhythm, ETCO2, stroke
  scale; unknown sex (and 'other', which NEMSIS 3.5.1's Sex list cannot say); age unknown or under a
  year; a drug without an RxNorm code, a route or unit outside NEMSIS's lists; a procedure without a
  certain SNOMED CT code; the address, race, payment, scene, injury, arrest, history, protocol,
  response delays, incident number, impressions, acuity and every hospital outcome (eOutcome).
- 7701001 Not Applicable: drugs and procedures when none were given or done; times, destination and
  transport details of a call with no transport; interfacility transfer reason (eSituation.20, a scene
  response); patient evaluation, crew and transport disposition of a cancelled call.
"""

from emsync_desktop.domain.nemsis.case import (
    Destination,
    MedicationGiven,
    NemsisAgency,
    NemsisCase,
    ProcedureDone,
    VitalsReading,
)
from emsync_desktop.domain.nemsis.dataset import NoCasesToReport, ems_dataset, ems_dataset_bytes, report_uuid

__all__ = ["Destination", "MedicationGiven", "NemsisAgency", "NemsisCase", "NoCasesToReport", "ProcedureDone",
           "VitalsReading", "ems_dataset", "ems_dataset_bytes", "report_uuid"]
