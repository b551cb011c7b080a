"""Classification and the at-risk screen through Python.

The conformance table tests/conformance/classification_cases.csv (expectations worked out by
hand from LEGAL-RULES.md) is run row by row through treem.classify, each row built as the
plain WorkActivity dict a Python caller would write.
"""

import collections
import csv
import datetime
import pathlib

import pytest

import treem
from small_register import run_threads

_TABLE = (pathlib.Path(__file__).resolve().parents[3] / "tests" / "conformance" /
          "classification_cases.csv")


def _rows():
    with open(_TABLE, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ROWS = _rows()

# Conformance-table names -> schema JSON names.
OUTCOMES = {"NOT_CHILD_LABOUR": "notChildLabour",
            "PERMITTED_WORK_WITH_VIOLATIONS": "permittedWorkWithViolations",
            "CHILD_LABOUR": "childLabour", "HAZARDOUS_CHILD_LABOUR": "hazardousChildLabour",
            "WORST_FORM": "worstForm", "UNKNOWN_CODE": "unknownCode"}
SDG = {"YES": "yes", "NO": "no", "UNKNOWN": "unknown", "OUT_OF_SCOPE": "outOfScope"}
BANDS = {"LT13": "under13", "A13_14": "age13to14", "A15_17": "age15to17"}
COMPLIANCE = {"consent": "parentConsent", "contract": "writtenContract",
              "rep_cosigned": "representativeCoSigned", "health_cert": "healthCertificate",
              "health_check": "healthCheck6Monthly", "register": "registerKept",
              "approval": "provincialApprovalUnder13"}
WORST = {"trafficking": "trafficking", "forced": "forcedLabour",
         "csec": "commercialSexualExploitation", "illicit": "illicitActivities"}


def _codes(text):
    return set(text.split("|")) if text else set()


def _time(hhmm):
    h, m = hhmm.split(":")
    return {"hour": int(h), "minute": int(m)}


def activity_of(row):
    """The WorkActivity dict of a table row, as a caller would write it."""
    a = {"jobCode": row["job"], "workplaceCode": row["workplace"],
         "hoursPerDay": float(row["h_day"] or 0), "hoursPerWeek": float(row["h_week"] or 0),
         "choreHoursPerWeek": float(row["chores"] or 0), "nightWork": row["night"] == "1",
         "overtime": row["overtime"] == "1", "duringSchoolHours": row["school"] == "1",
         "hazardousConditions": row["haz_cond"] == "1",
         "hazardousChores": row["haz_chores"] == "1"}
    if row["date"]:
        a["observedOn"] = datetime.date.fromisoformat(row["date"])
    if row["week_start"]:
        a["referenceWeekStart"] = row["week_start"]
    if row["start"]:
        a["workStart"], a["workEnd"] = _time(row["start"]), _time(row["end"])
    if row["employer"] == "1":
        a["establishmentId"] = "00000000-0000-0000-0000-00000000002a"
    if row["compliance"]:
        have = set(COMPLIANCE) if row["compliance"] == "ALL" else _codes(row["compliance"])
        a["compliance"] = {field: key in have for key, field in COMPLIANCE.items()}
    if row["worst"]:
        a["worstForms"] = {WORST[row["worst"]]: True}
    return a


def test_table_covers_every_outcome_and_error():
    expected = collections.Counter(r["expect_outcome"] for r in ROWS if r["expect_outcome"])
    assert set(expected) == set(OUTCOMES)
    assert sum(expected.values()) >= 40
    assert any(r["expect_error"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_conformance_row(row):
    child = {"date": row["birth"], "estimated": row["estimated"] == "1"}
    if row["expect_error"]:
        with pytest.raises(treem.TreemError) as exc:
            treem.classify(child, activity_of(row), rule_set=row["rule_set"] or None)
        message = str(exc.value)
        # The JSON codec refuses an impossible birth date before the engine sees it and names
        # the field by struct ("BirthDate.date"): compare without case.
        assert row["expect_error"].lower() in message.lower(), message
        assert row["birth"] not in message, "errors must not contain birth dates"
        # Bad input is InvalidArgumentError; an unknown rule set, or none in force on the
        # date, is NotFoundError.
        assert isinstance(exc.value, (treem.InvalidArgumentError, treem.NotFoundError))
        return

    r = treem.classify(child, activity_of(row), rule_set=row["rule_set"] or None)
    legal, stat, age = r["legal"], r["statistical"], r["age"]
    assert legal["outcome"] == OUTCOMES[row["expect_outcome"]]
    if row["expect_determined"]:
        assert legal["determinedOutcome"] == OUTCOMES[row["expect_determined"]]
    violations = legal.get("violations", [])
    fired = {v["code"] for v in violations if v["status"] == "fired"}
    undetermined = {v["code"] for v in violations if v["status"] == "undetermined"}
    assert fired == _codes(row["expect_fired"])
    assert undetermined == _codes(row["expect_undetermined"])
    for v in violations:
        assert v["citation"]["article"] and v["explanation"]
    if legal["outcome"] == "unknownCode":
        assert r["unknownCodes"]
    for column, key in (("expect_econ", "economic"), ("expect_chores", "withChores"),
                        ("expect_haz", "hazardous")):
        if row[column]:
            assert stat[key] == SDG[row[column]], key
    if row["expect_age"]:
        assert age["age"] == int(row["expect_age"])
    if row["expect_band"]:
        assert age["legalBand"] == BANDS[row["expect_band"]]
    if row["expect_band_uncertain"]:
        assert age["legalBandUncertain"] == (row["expect_band_uncertain"] == "1")
    if row["rule_set"]:
        assert legal["ruleSet"]["id"] == row["rule_set"]


def test_child_may_be_a_person_dict_or_a_date():
    activity = {"observedOn": "2024-03-10", "jobCode": "TT09-A2-06", "hoursPerDay": 4,
                "hoursPerWeek": 20.5}
    by_person = treem.classify({"birthDate": {"date": "2010-01-01"}}, activity)
    by_date = treem.classify(datetime.date(2010, 1, 1), activity)
    by_text = treem.classify("2010-01-01", activity)
    assert by_person == by_date == by_text
    assert by_text["legal"]["outcome"] == "childLabour"
    assert [v["code"] for v in by_text["legal"]["violations"]] == ["EXCESS_HOURS_U15"]
    assert by_text["legal"]["ruleSet"]["id"] == "VN-LC2019"


def test_rule_set_can_be_forced():
    # 14-year-old, 22 h a week: over the 2019 limit (20 h), within the 2012 one (24 h).
    activity = {"observedOn": "2024-03-10", "jobCode": "TT11-A1-01", "hoursPerDay": 4,
                "hoursPerWeek": 22}
    by_date = treem.classify("2010-01-01", activity)
    assert by_date["legal"]["ruleSet"]["id"] == "VN-LC2019"
    assert "EXCESS_HOURS_U15" in {v["code"] for v in by_date["legal"]["violations"]}
    forced = treem.classify("2010-01-01", activity, rule_set="VN-LC2012")
    assert forced["legal"]["ruleSet"]["id"] == "VN-LC2012"
    assert "EXCESS_HOURS_U15" not in {v["code"] for v in forced["legal"].get("violations", [])}


def test_judge_child_over_a_period():
    verdict = treem.judge_child(
        {"date": "2010-01-01"},
        [{"observedOn": "2024-03-04", "jobCode": "TT09-A2-06", "hoursPerDay": 2,
          "hoursPerWeek": 8},
         {"observedOn": datetime.date(2024, 3, 12), "jobCode": "ART147-1-e",
          "hoursPerDay": 2, "hoursPerWeek": 8},
         {"observedOn": "2024-06-01", "jobCode": "OTHER", "nightWork": True}],
        "2024-03-01", datetime.date(2024, 3, 31))
    assert verdict["outcome"] == "hazardousChildLabour"
    assert verdict["activitiesConsidered"] == 2
    assert verdict["activitiesSkipped"] == 1
    assert verdict["worstActivity"] == 1
    assert verdict["violationCodes"] == ["NOT_LIGHT_WORK", "PROHIBITED_JOB"]  # a 14-year-old


def test_screen_levels_and_intervention():
    r = treem.screen({"school.dropped_out": True, "household.poor": True, "child.male": False,
                      "family.orphan_or_abandoned": None})
    assert (r["score"], r["level"], r["protectionLevel"]) == (5, "medium", "support")
    contributions = {c["factor"]: c for c in r["contributions"]}
    assert contributions["school.dropped_out"]["contribution"] == 3
    assert contributions["child.male"]["answer"] == "no"
    assert r["unanswered"] == len(r["contributions"]) - 3

    low = treem.screen({"child.male": True})
    assert (low["level"], low["protectionLevel"]) == ("low", "prevention")
    found = treem.classify("2012-01-01", {"observedOn": "2024-03-10", "jobCode": "OTHER",
                                          "hoursPerWeek": 6})
    high = treem.screen({"child.male": True}, classification_outcome=found)
    assert high["protectionLevel"] == "intervention"


def test_describe_code():
    entry = treem.describe_code("ART147-1-e")
    assert entry["family"] == "ART147-1"
    assert entry["confidence"] == "confirmed"
    with pytest.raises(treem.NotFoundError):
        treem.describe_code("TT09-A3-12")


def test_user_code_list_is_loaded_all_or_nothing(tmp_path):
    activity = {"observedOn": "2024-03-10", "jobCode": "TT09-A3-12", "hoursPerDay": 4,
                "hoursPerWeek": 20}
    with treem.Rules() as rules:
        assert rules.classify("2008-01-01", activity)["legal"]["outcome"] == "unknownCode"
        bad = tmp_path / "annex3.csv"
        bad.write_text("code,name_vi,name_en,source\n"
                       "TT09-A3-12,Hàn điện,Electric welding,Circular 09 Annex III\n"
                       "TT09-A03-13,Hàn hơi,Gas welding,Circular 09 Annex III\n",
                       encoding="utf-8")
        with pytest.raises(treem.InvalidArgumentError) as exc:
            rules.load_codes(bad)
        assert "annex3.csv: line 3" in str(exc.value)
        with pytest.raises(treem.NotFoundError):
            rules.describe_code("TT09-A3-12")
        rules.load_codes("code,name_vi,name_en,source,confidence\n"
                         "TT09-A3-12,Hàn điện,Electric welding,Circular 09 Annex III,C\n",
                         what="annex3")
        r = rules.classify("2008-01-01", activity)
        assert r["legal"]["outcome"] == "hazardousChildLabour"
        assert rules.describe_code("TT09-A3-12")["nameVi"] == "Hàn điện"
    # The shared default registry is not affected.
    with pytest.raises(treem.NotFoundError):
        treem.describe_code("TT09-A3-12")
    with pytest.raises(ValueError):
        rules.classify("2008-01-01", activity)


def test_errors_map_to_python_exceptions():
    with pytest.raises(treem.InvalidArgumentError) as exc:
        treem.classify("2024-05-01", {"observedOn": "2024-03-10", "jobCode": "OTHER"})
    assert "before the birth date" in str(exc.value)
    assert "2024-05-01" not in str(exc.value)
    assert isinstance(exc.value, ValueError)
    with pytest.raises(treem.InvalidArgumentError, match="18 or over"):
        treem.classify("2006-03-10", {"observedOn": "2024-03-10", "jobCode": "OTHER"})
    with pytest.raises(treem.InvalidArgumentError, match=r"hoursPerDay: 25 exceeds 24"):
        treem.classify("2010-01-01", {"observedOn": "2024-03-10", "hoursPerDay": 25})
    with pytest.raises(treem.InvalidArgumentError, match="json input"):
        treem.classify("2010-01-01", {"observedOn": "2024-13-10"})
    with pytest.raises(treem.InvalidArgumentError, match=r"answers\[0\]\.factor"):
        treem.screen({"school.dropped": True})
    with pytest.raises(TypeError):
        treem.classify("2010-01-01", ["not", "a", "dict"])
    with pytest.raises(TypeError):
        treem.classify(20100101, {"observedOn": "2024-03-10"})
    with pytest.raises(TypeError, match=r"activities\[1\]"):
        treem.judge_child("2010-01-01", [{}, "x"], "2024-03-01", "2024-03-31")
    with pytest.raises(treem.NotFoundError, match="is not a rule set"):
        treem.classify("2010-01-01", {"observedOn": "2024-03-10"}, rule_set="VN-LC1994")
    with pytest.raises(TypeError):
        treem.classify("2010-01-01", {"observedOn": object()})


def test_many_threads_classify_at_once():
    rules = treem.Rules()
    results = []
    activity = {"observedOn": "2024-03-10", "jobCode": "TT09-A2-06", "hoursPerDay": 4,
                "hoursPerWeek": 20.5}

    def work():
        for _ in range(50):
            results.append(rules.classify("2010-01-01", activity)["legal"]["outcome"])
    errors = run_threads(work)
    rules.close()
    assert not errors
    assert results == ["childLabour"] * 200
