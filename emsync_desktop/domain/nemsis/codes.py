"""EMsync values → NEMSIS 3.5.1 codes. A value missing from a table has no certain code: the builder
writes a not value (Not Recorded) for it and keeps the words in the narrative."""

from __future__ import annotations

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.formulary import DoseUnit, Route
from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.procedures import Procedure

SEX = {Sex.FEMALE: "9919001", Sex.MALE: "9919003"}  # ePatient.25; 'other' and 'unknown': see the package doc
YEARS = "2516009"  # ePatient.16
AVPU = {"A": "3326001", "C": "3326001", "V": "3326003", "P": "3326005", "U": "3326007"}  # eVitals.26
YES, NO = "9923003", "9923001"
CHIEF_COMPLAINT = "2803001"  # eSituation.03 Chief (Primary)
DISPATCH_NO_OTHER_CHOICE = "2301051"  # eDispatch.01 No Other Appropriate Choice
RXNORM = "9924003"  # eMedications.03 CodeType
ROUTE = {  # eMedications.04
    Route.IV: "9927023", Route.IO: "9927021", Route.IM: "9927015", Route.IN: "9927017",
    Route.SC: "9927045", Route.PO: "9927035", Route.SL: "9927047", Route.BUCCAL: "9927003",
    Route.NEB: "9927071", Route.INH: "9927009",
}
DOSE_UNIT = {  # eMedications.06
    DoseUnit.MCG: "3706015", DoseUnit.MG: "3706021", DoseUnit.G: "3706001", DoseUnit.ML: "3706025",
    DoseUnit.L: "3706009", DoseUnit.L_PER_MIN: "3706035",
}
RXNORM_INGREDIENT = {  # eMedications.03: RxNorm ingredient RXCUIs of the shipped formulary, by name key
    "adrenaline": "3992", "epinephrine": "3992", "amiodarone": "703", "aspirin": "1191",
    "gtn": "4917", "glyceryltrinitrate": "4917", "nitroglycerin": "4917",
    "salbutamol": "435", "albuterol": "435", "ipratropium": "7213", "ondansetron": "26225",
    "morphine": "7052", "fentanyl": "4337", "midazolam": "6960", "naloxone": "7242", "glucagon": "4832",
    "tranexamicacid": "10691", "oxygen": "7806", "o2": "7806",
}
PROCEDURE_SNOMED = {  # eProcedures.03: SNOMED CT procedures; the rest are Not Recorded (see package doc)
    Procedure.IV_ACCESS: "392230005", Procedure.AIRWAY_OPA: "7443007", Procedure.AIRWAY_NPA: "182692007",
    Procedure.AIRWAY_SGA: "424979004", Procedure.AIRWAY_ETT: "112798008", Procedure.CPR: "89666000",
    Procedure.DEFIBRILLATION: "426220008", Procedure.CARDIOVERSION: "250980009",
    Procedure.PACING: "18590009", Procedure.SPLINT: "79321009", Procedure.ECG_12_LEAD: "268400002",
}

# eDisposition.27 Unit, .28 Patient evaluation/care, .29 Crew, .30 Transport (None: Not Applicable)
CONTACT_MADE, CANCELLED_ON_SCENE, CANCELLED_BEFORE_SCENE = "4227001", "4227003", "4227005"
OUTCOME_CODES: dict[Disposition, tuple[str | None, str | None, str | None]] = {
    Disposition.HANDED_OVER: ("4228001", "4229001", "4230001"),
    Disposition.TREATED_ON_SCENE: ("4228001", "4229001", "4230013"),
    Disposition.REFUSED_CARE: ("4228003", "4229013", "4230009"),
    Disposition.DIED: ("4228001", "4229001", "4230013"),
    Disposition.CANCELLED: (None, None, None),
}
GROUND_AMBULANCE = "4216005"  # eDisposition.16
HOSPITAL_ED, HOSPITAL_BED = "4221003", "4221005"  # eDisposition.21
EMERGENCY_UNITS = {"ER", "ED"}
DEAD_WITH_RESUSCITATION = "4219009"  # eDisposition.19
