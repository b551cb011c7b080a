"""Province merge through Python: commune snapshots and journal segments merged into a province
register, conflicts kept for review and resolved, idempotent re-merges, refusals."""

import tempfile

import pytest

import treem
from treem import Actor, Registry

WORKER = Actor("worker-1", "communeWorker", "15865")
PROVINCE = Actor("prov-1", "provinceOfficer", "38")
SYSTEM = Actor("sys", "system", "")
CHILD = "0b6e0c4a-7d2f-4e51-9a3b-2c1d4e5f6a7b"
OTHER = "1c7f1d5b-8e30-4f62-8b4c-3d2e5f607b8c"


def person(actor, pid, grade):
    return {"actor": actor.as_dict(), "source": "api",
            "payload": {"upsertPerson": {"id": pid, "fullName": "Đỗ Thị F", "sex": "female",
                                         "birthDate": {"date": "2012-05-01"},
                                         "communeCode": "15865", "school": {"grade": grade}}}}


UNITS = {"actor": SYSTEM.as_dict(), "source": "api",
         "payload": {"loadUnits": {"units": [
             {"code": "38", "level": "province"},
             {"code": "15865", "level": "commune", "parentCode": "38", "provinceCode": "38"}]}}}


@pytest.fixture()
def stores():
    with tempfile.TemporaryDirectory(prefix="treem-pymerge-") as d:
        with Registry(d + "/commune", create=True, scope=["15865"], sync="off") as commune, \
                Registry(d + "/province", create=True, scope=["38"], sync="off") as province:
            province.apply(UNITS)
            yield commune, province, d + "/province"


def test_snapshot_merge_is_idempotent_and_conflicts_are_reviewed(stores):
    commune, province, folder = stores
    commune.apply(person(WORKER, CHILD, 5))
    commune.apply(person(WORKER, OTHER, 4))
    first = province.merge(PROVINCE, commune.export(WORKER), source="snapshot")
    assert first["applied"] == 2 and first["seq"] > 0
    assert province.get(PROVINCE, "person", CHILD)["school"]["grade"] == 5

    again = province.merge(PROVINCE, commune.export(WORKER, fmt=treem.FORMAT_CAPNP))
    assert again["applied"] == 0 and again["seq"] == 0 and again["unchanged"] == 2

    # Changed in two places: recorded, never overwritten.
    province.apply(person(PROVINCE, CHILD, 9))
    commune.apply(person(WORKER, CHILD, 6))
    found = province.merge(PROVINCE, commune.export(WORKER))
    assert [c["reason"] for c in found["conflicts"]] == ["divergentVersions"]
    assert province.get(PROVINCE, "person", CHILD)["school"]["grade"] == 9
    open_ = province.conflicts(PROVINCE)
    assert len(open_) == 1 and open_[0]["status"] == "open"
    assert open_[0]["recordId"] == CHILD

    with pytest.raises(treem.PermissionDeniedError):
        province.resolve_conflict(WORKER, open_[0]["id"], "takeIncoming", "commune is right")
    with pytest.raises(ValueError):
        province.resolve_conflict(PROVINCE, open_[0]["id"], "maybe", "x")
    seq = province.resolve_conflict(PROVINCE, open_[0]["id"], "takeIncoming",
                                    "checked with the school")
    assert seq == province.last_seq
    assert province.get(PROVINCE, "person", CHILD)["school"]["grade"] == 6
    assert province.conflicts(PROVINCE) == []
    assert [c["status"] for c in province.conflicts(PROVINCE, open_only=False)] == ["tookIncoming"]
    with pytest.raises(treem.FailedPreconditionError):
        province.resolve_conflict(PROVINCE, open_[0]["id"], "keepCurrent", "again")


def test_journal_segments_merge_once_and_survive_reopen(stores):
    commune, province, folder = stores
    commune.apply(person(WORKER, CHILD, 5))
    segment = commune.export_journal(WORKER, 1)
    assert segment["entries"]
    report = province.merge(PROVINCE, segment, source="journal")
    assert report["applied"] == 1
    assert report["origins"][0]["storeId"]
    repeat = province.merge(PROVINCE, commune.export_journal(WORKER, 1, fmt=treem.FORMAT_CAPNP),
                            source="journal")
    assert repeat["applied"] == 0 and repeat["alreadyImported"] >= 1
    province.checkpoint()
    province.close()
    with Registry(folder) as reopened:
        assert reopened.merge(PROVINCE, commune.export_journal(WORKER, 1),
                              source="journal")["applied"] == 0
        assert reopened.get(PROVINCE, "person", CHILD)["school"]["grade"] == 5


def test_merge_refusals(stores):
    commune, province, folder = stores
    commune.apply(person(WORKER, CHILD, 5))
    with pytest.raises(treem.PermissionDeniedError):
        province.merge(WORKER, commune.export(WORKER))
    with pytest.raises(ValueError):
        province.merge(PROVINCE, commune.export(WORKER), source="csv")
    with pytest.raises(treem.InvalidArgumentError):
        province.merge(PROVINCE, b"\x00\x01not capnp", source="snapshot")
    with pytest.raises(treem.PermissionDeniedError):
        commune.export_journal(Actor("w", "communeWorker", "15001"))
    commune.checkpoint()
    with pytest.raises(treem.FailedPreconditionError):
        commune.export_journal(WORKER, 1)
