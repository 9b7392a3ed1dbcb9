"""The formulary shipped with the app: decision-support defaults an admin can edit.

Each limit is a *usual maximum single dose* from a recognised prehospital or resuscitation reference,
named per drug in ``Drug.source`` (and in the comment when a choice was made between references).
JRCALC = JRCALC Clinical Guidelines (UK ambulance services); ERC 2021 = European Resuscitation Council
Guidelines 2021 (ALS / PLS); AHA 2020 = American Heart Association Guidelines for CPR and ECC 2020
(ACLS / PALS); RCUK 2021 = Resuscitation Council UK, Emergency treatment of anaphylaxis, 2021;
BTS 2017 = British Thoracic Society guideline for oxygen use in adults, 2017; AES 2016 = American
Epilepsy Society guideline on convulsive status epilepticus, 2016.

Drugs dosed in age or weight bands (salbutamol, ipratropium, glucagon, IM midazolam) carry only the
band's top dose as the child limit: the check catches overdoses above it, not a dose one band too high.
Verify these against the service's own guidelines before clinical use; docs/decisions.md says why.
"""

from __future__ import annotations

from emsync_desktop.domain.formulary import DoseUnit, Drug, Formulary, Route, RouteLimit

_ADRENALINE = Drug(
    key="adrenaline", name="Adrenaline", unit=DoseUnit.MG,
    synonyms=("epinephrine", "adrenalin"),
    forms=("1 mg/mL (1:1000) ampoule, IM", "0.1 mg/mL (1:10,000) prefilled syringe, IV/IO"),
    limits=(
        # RCUK 2021 age bands give 0.3 mg at 6-12 y; ERC/AHA 0.01 mg/kg is used for the weight check.
        RouteLimit((Route.IM,), 0.5, child_per_kg=0.01, child_max_single=0.5, indication="anaphylaxis"),
        RouteLimit((Route.IV, Route.IO), 1.0, child_per_kg=0.01, child_max_single=1.0,
                   indication="cardiac arrest"),
    ),
    source="RCUK 2021 anaphylaxis; ERC 2021 ALS/PLS; AHA 2020 PALS; JRCALC adrenaline",
)
_AMIODARONE = Drug(
    key="amiodarone", name="Amiodarone", unit=DoseUnit.MG,
    synonyms=("cordarone",), forms=("300 mg in 10 mL prefilled syringe (30 mg/mL)",),
    limits=(RouteLimit((Route.IV, Route.IO), 300.0, child_per_kg=5.0, child_max_single=300.0,
                       indication="shock-refractory VF/pVT"),),
    source="ERC 2021 ALS (300 mg, then 150 mg) and PLS (5 mg/kg, max 300 mg); JRCALC amiodarone",
)
_ASPIRIN = Drug(
    key="aspirin", name="Aspirin", unit=DoseUnit.MG, adult_from_years=16,
    synonyms=("acetylsalicylic acid", "ASA"), forms=("300 mg dispersible tablet, chewed",),
    # No child dose: aspirin is not given under 16 (Reye's syndrome).
    limits=(RouteLimit((Route.PO,), 300.0, indication="acute coronary syndrome"),),
    source="JRCALC aspirin (300 mg PO in ACS; not under 16 years)",
)
_GTN = Drug(
    key="gtn", name="GTN", unit=DoseUnit.MCG,
    synonyms=("glyceryl trinitrate", "nitroglycerin", "nitroglycerine", "NTG"),
    forms=("400 mcg metered sublingual spray",),
    limits=(RouteLimit((Route.SL,), 800.0, indication="chest pain or pulmonary oedema"),),
    source="JRCALC glyceryl trinitrate (400-800 mcg SL; adults only)",
)
_SALBUTAMOL = Drug(
    key="salbutamol", name="Salbutamol", unit=DoseUnit.MG,
    synonyms=("albuterol", "ventolin"), forms=("2.5 mg/2.5 mL and 5 mg/2.5 mL nebules",),
    # JRCALC: 2.5 mg under 5 years, 5 mg from 5 years (age bands; only the top one is checked).
    limits=(RouteLimit((Route.NEB,), 5.0, child_max_single=5.0),),
    source="JRCALC salbutamol (5 mg nebulised; children 2.5-5 mg by age)",
)
_IPRATROPIUM = Drug(
    key="ipratropium", name="Ipratropium", unit=DoseUnit.MCG,
    synonyms=("ipratropium bromide", "atrovent"), forms=("250 mcg/mL and 500 mcg/2 mL nebules",),
    limits=(RouteLimit((Route.NEB,), 500.0, child_max_single=250.0),),
    source="JRCALC ipratropium bromide (500 mcg nebulised; 250 mcg under 12 years)",
)
_ONDANSETRON = Drug(
    key="ondansetron", name="Ondansetron", unit=DoseUnit.MG,
    synonyms=("zofran",), forms=("2 mg/mL injection", "4 mg orodispersible tablet"),
    limits=(RouteLimit((Route.IV, Route.IM, Route.PO), 4.0, child_per_kg=0.1, child_max_single=4.0),),
    source="JRCALC ondansetron (4 mg; children 0.1 mg/kg, max 4 mg)",
)
_MORPHINE = Drug(
    key="morphine", name="Morphine", unit=DoseUnit.MG,
    synonyms=("morphine sulfate", "morphine sulphate", "oramorph"),
    forms=("10 mg/mL ampoule, diluted to 1 mg/mL", "10 mg/5 mL oral solution"),
    limits=(
        # JRCALC titrates IV in 2 mg steps up to 10 mg, 20 mg in all; the label caps 10 mg per dose.
        RouteLimit((Route.IV, Route.IO), 10.0, child_per_kg=0.1, child_max_single=10.0),
        RouteLimit((Route.PO,), 20.0, child_per_kg=0.3, child_max_single=10.0),
    ),
    source="JRCALC morphine sulfate; BNFc oral morphine (0.2-0.3 mg/kg, max 10 mg); morphine injection label",
)
_FENTANYL = Drug(
    key="fentanyl", name="Fentanyl", unit=DoseUnit.MCG,
    synonyms=("sublimaze",), forms=("50 mcg/mL ampoule (also given intranasally)",),
    # No JRCALC monograph: APLS / RCEM intranasal 1.5 mcg/kg and UK ambulance PGDs (25-100 mcg IV).
    limits=(
        RouteLimit((Route.IN,), 100.0, child_per_kg=1.5, child_max_single=100.0),
        RouteLimit((Route.IV, Route.IO), 100.0, child_per_kg=1.0, child_max_single=100.0),
    ),
    source="APLS and RCEM paediatric analgesia (IN 1.5 mcg/kg); UK ambulance service fentanyl PGDs",
)
_MIDAZOLAM = Drug(
    key="midazolam", name="Midazolam", unit=DoseUnit.MG,
    synonyms=("buccolam", "epistatus", "hypnovel"), forms=("buccal prefilled syringes 2.5-10 mg", "5 mg/mL"),
    limits=(
        RouteLimit((Route.BUCCAL,), 10.0, child_per_kg=0.5, child_max_single=10.0, indication="convulsions"),
        RouteLimit((Route.IN,), 10.0, child_per_kg=0.2, child_max_single=10.0, indication="convulsions"),
        # AES 2016: 5 mg for 13-40 kg, 10 mg above 40 kg (bands; only the top one is checked).
        RouteLimit((Route.IM,), 10.0, child_max_single=10.0, indication="convulsions"),
    ),
    source="JRCALC midazolam (buccal 10 mg; children by age up to 10 mg); APLS buccal 0.5 mg/kg; AES 2016",
)
_NALOXONE = Drug(
    key="naloxone", name="Naloxone", unit=DoseUnit.MG,
    synonyms=("narcan", "nyxoid"), forms=("400 mcg/mL ampoule", "1.8 mg or 4 mg nasal spray"),
    limits=(
        # JRCALC starts at 0.4 mg and titrates; AHA 2020 allows up to 2 mg per dose.
        RouteLimit((Route.IV, Route.IO, Route.IM), 2.0, child_per_kg=0.1, child_max_single=2.0),
        RouteLimit((Route.IN,), 4.0, child_max_single=4.0),
    ),
    source="AHA 2020 opioid emergency and PALS (0.1 mg/kg, max 2 mg); JRCALC naloxone",
)
_GLUCOSE_10 = Drug(
    key="glucose_10", name="Glucose 10 %", unit=DoseUnit.ML, concentration_mg_per_ml=100.0,
    synonyms=("glucose 10", "dextrose 10 %", "dextrose 10", "D10", "G10"),
    forms=("500 mL infusion bag (100 mg/mL)",),
    # JRCALC: 100 mL (10 g), repeated to at most 300 mL in all.
    limits=(RouteLimit((Route.IV, Route.IO), 100.0, child_per_kg=2.0, child_max_single=100.0,
                       indication="hypoglycaemia"),),
    source="JRCALC glucose 10 % (100 mL adults; children 2 mL/kg); ISPAD 2022 (0.2 g/kg)",
)
_GLUCAGON = Drug(
    key="glucagon", name="Glucagon", unit=DoseUnit.MG,
    synonyms=("glucagen",), forms=("1 mg kit (GlucaGen HypoKit)",),
    # JRCALC/BNFc: 0.5 mg under 8 years (or under 25 kg), 1 mg above (bands; only the top one is checked).
    limits=(RouteLimit((Route.IM,), 1.0, child_max_single=1.0, indication="hypoglycaemia"),),
    source="JRCALC glucagon (1 mg IM; 0.5 mg under 8 years); BNFc",
)
_FLUID_LIMITS = (
    # Largest single adult volume in JRCALC (burns, hyperglycaemic emergencies); ERC 2021 PLS 10 mL/kg bolus.
    RouteLimit((Route.IV, Route.IO), 1000.0, child_per_kg=10.0, child_max_single=500.0),
)
_SODIUM_CHLORIDE = Drug(
    key="sodium_chloride_0.9", name="Sodium chloride 0.9 %", unit=DoseUnit.ML,
    synonyms=("saline", "normal saline", "NaCl 0.9 %", "NaCl", "NS"),
    forms=("250, 500 and 1000 mL bags",), limits=_FLUID_LIMITS,
    source="JRCALC sodium chloride 0.9 %; ERC 2021 PLS (10 mL/kg fluid bolus)",
)
_RINGERS_LACTATE = Drug(
    key="ringers_lactate", name="Ringer's lactate (Hartmann's)", unit=DoseUnit.ML,
    synonyms=("Hartmann's", "Ringer's lactate", "lactated Ringer's", "Ringer lactate",
              "compound sodium lactate", "RL", "CSL"),
    forms=("500 and 1000 mL bags",), limits=_FLUID_LIMITS,
    source="JRCALC compound sodium lactate (Hartmann's); ERC 2021 PLS (10 mL/kg fluid bolus)",
)
_TRANEXAMIC_ACID = Drug(
    key="tranexamic_acid", name="Tranexamic acid", unit=DoseUnit.MG,
    synonyms=("TXA", "cyklokapron"), forms=("100 mg/mL, 10 mL ampoule (1 g)",),
    limits=(RouteLimit((Route.IV, Route.IO), 1000.0, child_per_kg=15.0, child_max_single=1000.0,
                       indication="major haemorrhage"),),
    source="JRCALC tranexamic acid (1 g IV; children 15 mg/kg, max 1 g); CRASH-2",
)
_OXYGEN = Drug(
    key="oxygen", name="Oxygen", unit=DoseUnit.L_PER_MIN, synonyms=("O2",),
    forms=("nasal cannulae 1-6 L/min", "simple face mask 5-10 L/min", "reservoir mask 15 L/min"),
    limits=(RouteLimit((Route.INH,), 15.0, child_max_single=15.0),),
    source="BTS 2017 emergency oxygen (15 L/min reservoir mask in critical illness); JRCALC oxygen",
)

DEFAULT_FORMULARY: Formulary = (
    _ADRENALINE, _AMIODARONE, _ASPIRIN, _GTN, _SALBUTAMOL, _IPRATROPIUM, _ONDANSETRON, _MORPHINE,
    _FENTANYL, _MIDAZOLAM, _NALOXONE, _GLUCOSE_10, _GLUCAGON, _SODIUM_CHLORIDE, _RINGERS_LACTATE,
    _TRANEXAMIC_ACID, _OXYGEN,
)
