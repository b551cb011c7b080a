"""Indicator reports through Python: a small register, hand-checked figures."""

import pytest

import treem
from small_register import ACTOR, CHILDREN, HOUSEHOLDS, record_girl_working



@pytest.fixture(scope="module")
def units(shared_units_dir):
    with treem.AdminUnits(str(shared_units_dir)) as u:
        yield u


def test_population_and_plan_targets(tmp_path, units):
    with treem.Registry(str(tmp_path / "s"), create=True, scope=["15928"], units=units) as reg:
        reg.import_csv(ACTOR, HOUSEHOLDS, CHILDREN, commune_code="15928")
        report = reg.report(ACTOR, units, year=2024, plan="hoang-duc-2023",
                            dimensions=["sex"])
    totals = treem.reports.values(report, "15928")
    # children 5-17 on 2024-12-31: C1 (12) and C2 (16); C3 is 3
    assert int(totals["P1"]["denominator"]) == 2
    assert int(totals["P1"]["numerator"]) == 0
    assert totals["P1"]["targetStatus"] == "met"
    by_sex = [v for v in report["values"]
              if v["indicatorId"] == "P1" and v["disaggregation"]["bySex"]]
    assert {v["disaggregation"]["sex"]: int(v["denominator"]) for v in by_sex} == {
        "female": 1, "male": 1}
    html = treem.render(report, "html")
    assert "<svg" in html and "P1" in html
    csv_text = treem.render(report, "csv")
    assert csv_text.splitlines()[0].startswith("indicator,")
    assert treem.render(report, "json").startswith("{")


def test_provenance_lists_the_children_counted(tmp_path, units):
    with treem.Registry(str(tmp_path / "s"), create=True, scope=["15928"], units=units) as reg:
        reg.import_csv(ACTOR, HOUSEHOLDS, CHILDREN, commune_code="15928")
        girl = record_girl_working(reg)
        report = reg.report(ACTOR, units, year=2024, indicators=["P1"], provenance=True)
        analyst = treem.Actor("pt-01", treem.Role.ANALYST, "15928")
        with pytest.raises(treem.PermissionDeniedError):
            reg.report(analyst, units, year=2024, provenance=True)
    p1 = treem.reports.values(report, "15928")["P1"]
    assert int(p1["numerator"]) == 1          # a 12-year-old working: child labour
    assert p1["recordIds"] == [girl]


def test_bad_requests_raise(units, tmp_path):
    with treem.Registry(str(tmp_path / "s"), create=True, scope=["15928"], units=units) as reg:
        with pytest.raises(ValueError):
            reg.report(ACTOR, units)  # no period
        with pytest.raises(treem.NotFoundError):
            reg.report(ACTOR, units, year=2024, plan="no-such-plan")
        with pytest.raises(treem.InvalidArgumentError):
            reg.report(ACTOR, units, start="2024-01-01", end="2024-02-30")
        with pytest.raises(treem.PermissionDeniedError):
            reg.report(ACTOR, units, year=2024, unit="15865")
        plan = {"id": "6f1e2d3c-0000-4000-8000-000000000001", "issuingUnitCode": "15928",
                "targets": [{"indicatorId": "P3", "value": 110, "byYear": 2025}]}
        with pytest.raises(treem.InvalidArgumentError) as exc:
            reg.report(ACTOR, units, year=2024, plan=plan)
        assert "100" in str(exc.value)
