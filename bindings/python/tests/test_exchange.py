"""Survey-list import and the de-identified export, through Python."""

import json

import pytest

import treem

HOUSEHOLDS = ("\ufeffhousehold_key,commune_code,village,poverty_status,poverty_standard,"
              "poverty_year,residence,craft_village\r\n"
              "H1,15928,T01,poor,decree07of2021,2024,rural,true\r\n"
              "H2,15928,T02,none,decree07of2021,2024,rural,false\r\n")
CHILDREN = ("child_key,household_key,full_name,sex,birth_date,birth_date_estimated,ethnicity,"
            "school_status\n"
            "C1,H1,Lê Thị Hoa,female,2011-02-28,false,Kinh,enrolled\n"
            "C2,H2,Nguyễn Văn Nam,male,2009-09-15,false,Kinh,dropped_out\n")
BAD_CHILDREN = CHILDREN + "C3,H2,Trần Văn Bình,male,2023-02-30,false,Kinh,enrolled\n"

ACTOR = treem.Actor("cb-ldtbxh-01", treem.Role.COMMUNE_WORKER, "15928")


def test_csv_import_builds_deterministic_commands():
    a = treem.csv_import(HOUSEHOLDS, CHILDREN, commune_code="15928", actor=ACTOR,
                         at_micros=1_700_000_000_000_000)
    b = treem.csv_import(HOUSEHOLDS.encode(), CHILDREN.encode(), commune_code="15928",
                         actor=ACTOR, at_micros=1_700_000_000_000_000)
    assert a == b
    assert not a.get("issues")
    kinds = [next(iter(c["payload"])) for c in a["commands"]["commands"]]
    assert kinds.count("upsertHousehold") == 2
    assert kinds.count("upsertPerson") == 2


def test_bad_row_is_reported_without_the_personal_value():
    r = treem.csv_import(HOUSEHOLDS, BAD_CHILDREN, commune_code="15928", actor=ACTOR)
    assert len(r["issues"]) == 1
    issue = r["issues"][0]
    assert issue["line"] == 4
    text = json.dumps(issue, ensure_ascii=False)
    assert "2023-02-30" not in text and "Bình" not in text
    assert not r.get("commands", {}).get("commands")


def test_registry_import_is_all_or_nothing(tmp_path):
    with treem.Registry(str(tmp_path / "store"), create=True, scope=["15928"]) as reg:
        before = reg.last_seq
        with pytest.raises(treem.ImportRefused) as exc:
            reg.import_csv(ACTOR, HOUSEHOLDS, BAD_CHILDREN, commune_code="15928")
        assert exc.value.report["issues"]
        assert reg.last_seq == before          # nothing committed
        seq, report = reg.import_csv(ACTOR, HOUSEHOLDS, BAD_CHILDREN, commune_code="15928",
                                     skip_bad_rows=True)
        assert seq > before
        assert len(report["issues"]) == 1
        persons = reg.list(ACTOR, "person")
        assert len(persons) == 2
        # re-import is idempotent: the same ids, nothing new
        reg.import_csv(ACTOR, HOUSEHOLDS, CHILDREN, commune_code="15928")
        assert len(reg.list(ACTOR, "person")) == 2


def test_deidentified_export_has_no_personal_data(tmp_path):
    with treem.Registry(str(tmp_path / "store"), create=True, scope=["15928"]) as reg:
        reg.import_csv(ACTOR, HOUSEHOLDS, CHILDREN, commune_code="15928")
        full = reg.export(ACTOR, fmt=1)
    out = treem.deidentify(full)
    text = json.dumps(out, ensure_ascii=False)
    for personal in ("Lê Thị Hoa", "Nguyễn Văn Nam", "2011-02-28", "2009-09-15",
                     "cb-ldtbxh-01"):
        assert personal not in text
    assert len(out["persons"]) == 2
    assert out["persons"][0]["birthDate"]["date"][8:] == "01"   # month precision


def test_deidentify_rejects_garbage():
    with pytest.raises(treem.InvalidArgumentError):
        treem.deidentify(b"\x01\x02\x03")
