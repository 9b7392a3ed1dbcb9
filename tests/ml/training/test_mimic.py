"""The MIMIC-IV-ED loader on a small fixture written in the exact PhysioNet layout (.csv.gz)."""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import pytest

from emsync_desktop.domain.triage import FEATURE_NAMES, NEEDS
from emsync_desktop.ml.training.mimic import MimicFormatError, load_mimic

ED_STAYS = ("subject_id,hadm_id,stay_id,intime,outtime,gender,race,arrival_transport,disposition",
            "10001,20001,30001,2180-07-23 12:00:00,2180-07-23 18:00:00,F,WHITE,AMBULANCE,ADMITTED",
            "10002,,30002,2181-01-02 09:00:00,2181-01-02 11:00:00,M,ASIAN,WALK IN,HOME",
            "10003,20003,30003,2182-03-04 22:00:00,2182-03-05 02:00:00,M,BLACK,HELICOPTER,ADMITTED",
            "10004,,30004,2183-05-06 10:00:00,2183-05-06 12:00:00,F,WHITE,WALK IN,HOME")
TRIAGE = ("subject_id,stay_id,temperature,heartrate,resprate,o2sat,sbp,dbp,pain,acuity,chiefcomplaint",
          "10001,30001,100.4,124,28,88,86,50,8,1,SOB",
          "10002,30002,98.6,80,16,99,130,80,unable,4,L ANKLE PAIN",
          "10003,30003,,110,,95,150,90,3,2,CHEST PAIN",
          "10004,30004,98.0,70,14,100,120,70,0,,RASH")
VITALSIGN = ("subject_id,stay_id,charttime,temperature,heartrate,resprate,o2sat,sbp,dbp,rhythm,pain",
             "10003,30003,2182-03-04 22:20:00,99.5,108,22,95,148,88,Sinus,3",
             "10003,30003,2182-03-04 23:59:00,102.0,130,30,90,100,60,,5")
DIAGNOSIS = ("subject_id,stay_id,seq_num,icd_code,icd_version,icd_title",
             "10001,30001,1,J9601,10,ACUTE RESPIRATORY FAILURE WITH HYPOXIA")
PATIENTS = ("subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod",
            "10001,F,70,2178,2011 - 2013,", "10002,M,30,2181,2014 - 2016,", "10003,M,55,2182,2017 - 2019,",
            "10004,F,40,2183,2017 - 2019,")
ICUSTAYS = ("subject_id,hadm_id,stay_id,first_careunit,last_careunit,intime,outtime,los",
            "10001,20001,40001,Medical Intensive Care Unit (MICU),Medical Intensive Care Unit (MICU),"
            "2180-07-23 17:00:00,2180-07-26 17:00:00,3.0",
            "10003,20003,40003,Coronary Care Unit (CCU),Coronary Care Unit (CCU),"
            "2182-03-07 10:00:00,2182-03-08 10:00:00,1.0")
PROCEDURES = ("subject_id,hadm_id,stay_id,caregiver_id,starttime,endtime,storetime,itemid,value,valueuom,location,"
              "locationcategory,orderid,linkorderid,ordercategoryname,ordercategorydescription,patientweight,"
              "isopenbag,continueinnextdept,statusdescription,originalamount,originalrate",
              "10001,20001,40001,1,2180-07-23 17:30:00,2180-07-25 10:00:00,,225792,2430,min,,,1,1,Ventilation,"
              "Task,70,0,0,FinishedRunning,2430,0",
              "10001,20001,40001,1,2180-07-25 08:00:00,2180-07-25 20:00:00,,225802,720,min,,,2,2,Dialysis,"
              "Task,70,0,0,FinishedRunning,720,0")
INPUTS = ("subject_id,hadm_id,stay_id,caregiver_id,starttime,endtime,storetime,itemid,amount,amountuom,rate,"
          "rateuom,orderid,linkorderid,ordercategoryname,secondaryordercategoryname,"
          "ordercomponenttypedescription,ordercategorydescription,patientweight,totalamount,totalamountuom,"
          "isopenbag,continueinnextdept,statusdescription,originalamount,originalrate",
          "10001,20001,40001,1,2180-07-23 18:00:00,2180-07-24 18:00:00,,221906,8,mg,0.1,mcg/kg/min,3,3,"
          "Drips,,Main order parameter,Continuous Med,70,250,ml,0,0,FinishedRunning,8,0.1",
          "10001,20001,40001,1,2180-07-23 18:10:00,2180-07-24 18:00:00,,221744,1,mg,50,mcg/hour,4,4,"
          "Drips,,Main order parameter,Continuous Med,70,100,ml,0,0,FinishedRunning,1,50")
TABLES = {"ed/edstays": ED_STAYS, "ed/triage": TRIAGE, "ed/vitalsign": VITALSIGN, "ed/diagnosis": DIAGNOSIS,
          "hosp/patients": PATIENTS, "icu/icustays": ICUSTAYS, "icu/procedureevents": PROCEDURES,
          "icu/inputevents": INPUTS}


def write_fixture(root: Path) -> Path:
    for table, lines in TABLES.items():
        path = root / f"{table}.csv.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", newline="") as handle:
            writer = csv.writer(handle)
            for line in lines:
                writer.writerow(next(csv.reader([line])))
    return root


@pytest.fixture
def cohort(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_mimic(write_fixture(tmp_path))


def value(cohort, row: int, name: str) -> float:  # type: ignore[no-untyped-def]
    return float(cohort.features[row, FEATURE_NAMES.index(name)])


def test_stays_without_acuity_are_dropped_and_acuity_maps_to_three_classes(cohort) -> None:  # type: ignore[no-untyped-def]
    assert list(cohort.severity) == [0, 2, 0]  # ESI 1 → Critical, 4 → Low urgency, 2 → Critical


def test_triage_columns_become_features_in_app_units(cohort) -> None:  # type: ignore[no-untyped-def]
    assert value(cohort, 0, "temp_c") == 38.0  # 100.4 °F
    assert (value(cohort, 0, "hr_bpm"), value(cohort, 0, "spo2_pct"), value(cohort, 0, "pain_0_10")) == (124, 88, 8)
    assert value(cohort, 0, "age_years") == 72  # anchor 70 in 2178, arrival 2180
    assert (value(cohort, 0, "sex_female"), value(cohort, 0, "arrival_ambulance")) == (1, 1)
    assert value(cohort, 0, "complaint_respiratory") == 1 and value(cohort, 2, "complaint_cardiac") == 1


def test_free_text_pain_and_unrecorded_inputs_are_missing(cohort) -> None:  # type: ignore[no-untyped-def]
    assert math.isnan(value(cohort, 1, "pain_0_10"))
    for name in ("on_oxygen", "consciousness_acvpu", "gcs", "glucose_mg_dl"):
        assert math.isnan(value(cohort, 0, name)), name


def test_missing_triage_vital_is_taken_from_the_first_hour_only(cohort) -> None:  # type: ignore[no-untyped-def]
    assert value(cohort, 2, "rr_per_min") == 22  # charted 20 min after arrival; the 2 h value is ignored
    assert value(cohort, 2, "temp_c") == 37.5  # 99.5 °F
    assert value(cohort, 2, "arrival_ambulance") == 1  # helicopter


def test_needs_come_from_icu_events_within_24_hours(cohort) -> None:  # type: ignore[no-untyped-def]
    first = dict(zip(NEEDS, cohort.needs[0], strict=True))
    assert first == {"icu": 1, "ventilator": 1, "vasopressors": 1, "dialysis": 0, "sedatives": 0, "opioids": 1}
    assert cohort.needs[2].sum() == 0  # ICU stay began 60 h after ED arrival: outside the window
    assert cohort.needs[1].sum() == 0


def test_a_file_without_the_expected_columns_is_named(tmp_path: Path) -> None:
    root = write_fixture(tmp_path)
    with gzip.open(root / "ed/triage.csv.gz", "wt") as handle:
        handle.write("stay_id,acuity\n30001,1\n")
    with pytest.raises(MimicFormatError, match=r"triage\.csv\.gz lacks column\(s\) chiefcomplaint"):
        load_mimic(root)


def test_a_missing_table_is_named(tmp_path: Path) -> None:
    root = write_fixture(tmp_path)
    (root / "icu/icustays.csv.gz").unlink()
    with pytest.raises(MimicFormatError, match=r"icu/icustays\.csv\.gz is missing"):
        load_mimic(root)
