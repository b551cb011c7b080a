"""The durable registry through Python: apply, get, list, history, due, checkpoint, export."""

import tempfile
import uuid

import pytest

import treem
from treem import Actor, Registry, Role

WORKER = Actor("worker-1", "communeWorker", "15865")
CHAIR = Actor("chair-1", Role.COMMUNE_CHAIR, "15865")
ANALYST = Actor("analyst-1", "analyst", "38")
AUDITOR = Actor("auditor-1", "auditor", "15865")
CHILD = "0b6e0c4a-7d2f-4e51-9a3b-2c1d4e5f6a7b"


def person(pid, commune="15865", name="Vũ Văn E", command_id=None, birth="2012-05-01"):
    cmd = {"actor": WORKER.as_dict(), "source": "api",
           "payload": {"upsertPerson": {"id": pid, "fullName": name, "sex": "male",
                                        "birthDate": {"date": birth},
                                        "communeCode": commune}}}
    if command_id:
        cmd["commandId"] = command_id
    return cmd


@pytest.fixture()
def folder():
    with tempfile.TemporaryDirectory(prefix="treem-pyreg-") as d:
        yield d + "/reg"


def test_apply_get_reopen(folder):
    with Registry(folder, create=True, scope=["15865"], sync="off") as reg:
        seq = reg.apply(person(CHILD))
        assert seq == reg.last_seq
        got = reg.get(WORKER, "person", CHILD)
        assert got["fullName"] == "Vũ Văn E"
        assert got["birthDate"]["date"] == "2012-05-01"
        assert reg.checkpoint() == reg.last_seq
    with Registry(folder) as reg:
        assert reg.get(WORKER, "person", CHILD)["communeCode"] == "15865"
        assert [p["id"] for p in reg.list(WORKER, "person")] == [CHILD]


def test_refusals_raise_mapped_errors_and_change_nothing(folder):
    with Registry(folder, create=True, scope=["15865"], sync="off") as reg:
        reg.apply(person(CHILD))
        before = reg.last_seq
        with pytest.raises(treem.InvalidArgumentError) as err:
            reg.apply(person(str(uuid.uuid4()), commune="15928"))
        assert "upsertPerson.communeCode" in str(err.value)
        assert "Vũ" not in str(err.value)
        with pytest.raises(treem.NotFoundError):
            reg.apply({"actor": WORKER.as_dict(), "source": "api",
                       "payload": {"recordWorkActivity": {
                           "id": str(uuid.uuid4()), "childId": str(uuid.uuid4()),
                           "observedOn": "2024-03-01", "jobCode": "OTHER"}}})
        assert reg.last_seq == before
        with pytest.raises(treem.PermissionDeniedError) as denied:
            reg.get(ANALYST, "person", CHILD)
        assert "role analyst may not read personal records" in str(denied.value)
        assert reg.last_seq == before + 1  # the refusal itself is journaled


def test_idempotent_commands_and_atomic_batches(folder):
    with Registry(folder, create=True, scope=["15865"], sync="off") as reg:
        cid = str(uuid.uuid4())
        first = reg.apply(person(CHILD, command_id=cid))
        assert reg.apply(person(CHILD, name="Other", command_id=cid)) == first
        assert reg.get(WORKER, "person", CHILD)["fullName"] == "Vũ Văn E"
        second = str(uuid.uuid4())
        with pytest.raises(treem.InvalidArgumentError) as err:
            reg.apply_batch([person(second), person(str(uuid.uuid4()), commune="15928")])
        assert "command 1" in str(err.value)
        with pytest.raises(treem.NotFoundError):
            reg.get(WORKER, "person", second)
        seq = reg.apply_batch([person(second)])
        assert seq == reg.last_seq


def test_history_classification_due_and_export(folder):
    with Registry(folder, create=True, scope=["15865"], sync="off") as reg:
        reg.apply(person(CHILD))
        activity = str(uuid.uuid4())
        reg.apply({"actor": WORKER.as_dict(), "source": "csvImport",
                   "payload": {"recordWorkActivity": {
                       "id": activity, "childId": CHILD, "observedOn": "2024-03-10",
                       "jobCode": "OTHER", "hoursPerDay": 6, "hoursPerWeek": 30,
                       "payment": "paid"}}})
        cls = reg.get(WORKER, "classification", activity)
        assert cls["result"]["legal"]["ruleSet"]["id"]
        assert cls["result"]["age"]["age"] == 11
        verdict = reg.verdict(WORKER, CHILD, "2024-01-01", "2024-12-31")
        assert verdict["activitiesConsidered"] == 1
        entries = reg.history(AUDITOR, "person", CHILD)
        assert entries[0]["change"] == "upsertPerson"
        assert entries[0]["actor"]["userId"] == "worker-1"
        with pytest.raises(treem.PermissionDeniedError):
            reg.history(WORKER, "person", CHILD)
        report = reg.due(WORKER, 1718000000 * 1000000)
        assert report.get("items", []) == []
        snap = reg.export(CHAIR)
        assert [p["id"] for p in snap["persons"]] == [CHILD]
        assert snap["header"]["unitScope"] == ["15865"]
        with pytest.raises(treem.PermissionDeniedError):
            reg.export(ANALYST)


def test_closed_registry_and_bad_arguments(folder):
    reg = Registry(folder, create=True, scope=["15865"])
    reg.close()
    reg.close()
    with pytest.raises(ValueError):
        reg.get(WORKER, "person", CHILD)
    with pytest.raises(ValueError):
        Registry(folder, sync="sometimes")
    with pytest.raises(treem.AlreadyExistsError):
        Registry(folder, create=True, scope=["15865"])
