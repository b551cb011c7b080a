"""Administrative units through Python, on the official lists in shared/."""

import datetime

import pytest

import treem
from treem import UnitLevel


@pytest.fixture(scope="module")
def units(shared_units_dir):
    with treem.AdminUnits(str(shared_units_dir)) as u:
        yield u


def test_counts_before_and_after_reform(units):
    assert units.count(UnitLevel.PROVINCE, "2025-07-01") == 34
    assert units.count(UnitLevel.PROVINCE, datetime.date(2025, 6, 30)) == 63
    assert units.count(UnitLevel.DISTRICT, "2025-07-01") == 0


def test_hoang_duc_is_inside_hoang_hoa_after_reform(units):
    found = units.containing("15928", "2025-07-01")
    codes = [u["code"] for u in found]
    assert "15865" in codes
    hoang_hoa = units.find("15865", "2025-07-01")
    assert hoang_hoa["level"] == "commune"
    assert hoang_hoa["provinceCode"] == "38"
    assert any(p["code"] == "15928" for p in hoang_hoa["predecessors"])


def test_before_reform_commune_sits_in_its_district(units):
    found = units.containing("15928", "2024-06-01")
    assert [u["code"] for u in found][:2] == ["399", "38"]


def test_units_under_province(units):
    after = units.under("38", UnitLevel.COMMUNE, "2025-07-01")
    before = units.under("38", UnitLevel.COMMUNE, "2025-06-30")
    assert len(after) < len(before)
    assert all(u["provinceCode"] == "38" for u in after)


def test_bad_input_raises_named_errors(units):
    with pytest.raises(treem.InvalidArgumentError) as exc:
        units.find("15928", "2023-02-29")
    assert "on" in str(exc.value) or "date" in str(exc.value)
    with pytest.raises(treem.NotFoundError):
        units.find("99999", "2024-01-01")
    with pytest.raises(TypeError):
        units.find(15928, "2024-01-01")


def test_capnp_bytes_are_framed(units):
    data = units.find_bytes("15928", "2024-01-01")
    assert len(data) % 8 == 0 and len(data) > 8


def test_closed_object_refuses_calls(shared_units_dir):
    u = treem.AdminUnits(str(shared_units_dir))
    u.close()
    u.close()  # idempotent
    with pytest.raises(ValueError):
        u.count(UnitLevel.PROVINCE, "2025-07-01")
