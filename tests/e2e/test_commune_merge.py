"""Province merge through the commune tool: a commune's register is exported and merged into a
province register (Thanh Hóa, 38) with the official unit lists; merging again changes
nothing; a record edited in both places is a conflict that a province officer resolves; the
commune's journal merges too."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("TREEM_SHARED_DIR", ROOT.parent / "shared"))
UNITS = SHARED / "data" / "admin-units"
TOOL = os.environ.get("TREEM_COMMUNE_TOOL")

pytestmark = [
    pytest.mark.skipif(not (UNITS / "units-before-2025-07-01.csv").exists(),
                       reason=f"shared/ data absent: {UNITS}"),
    pytest.mark.skipif(not TOOL or not pathlib.Path(TOOL).exists(),
                       reason="TREEM_COMMUNE_TOOL not set (run through ctest)"),
]

CHILD = "0b6e0c4a-7d2f-4e51-9a3b-2c1d4e5f6a7b"
WORKER = ["--user", "worker-1", "--unit", "15865"]
OFFICER = ["--user", "prov-1", "--role", "province-officer", "--unit", "38"]


def person(actor, grade):
    return json.dumps({"actor": actor, "source": "commandLine",
                       "payload": {"upsertPerson": {
                           "id": CHILD, "fullName": "Lê Thị Mai", "sex": "female",
                           "birthDate": {"date": "2012-09-01"}, "communeCode": "15865",
                           "school": {"grade": grade}}}})


def tool(*args, check=True):
    return subprocess.run([TOOL, "--quiet", "--units", str(UNITS), *args], check=check,
                          capture_output=True, text=True)


def test_merge_conflict_and_resolution(tmp_path):
    commune, province = tmp_path / "commune", tmp_path / "province"
    worker = {"userId": "worker-1", "role": "communeWorker", "unitCode": "15865"}
    officer = {"userId": "prov-1", "role": "provinceOfficer", "unitCode": "38"}
    tool("init", str(commune), "--scope", "15865")
    tool("init", str(province), "--scope", "38")
    (tmp_path / "a.jsonl").write_text(person(worker, 5) + "\n", encoding="utf-8")
    tool(*WORKER, "apply", str(commune), str(tmp_path / "a.jsonl"))
    tool(*WORKER, "export", str(commune), str(tmp_path / "commune.capnp"))

    first = json.loads(tool(*OFFICER, "merge", str(province), str(tmp_path / "commune.capnp")).stdout)
    assert first["applied"] == 1 and int(first["seq"]) > 0
    again = json.loads(tool(*OFFICER, "merge", str(province), str(tmp_path / "commune.capnp")).stdout)
    assert again["applied"] == 0 and int(again["seq"]) == 0

    # Both sides change the child: a conflict; the province keeps its version until review.
    (tmp_path / "p.jsonl").write_text(person(officer, 9) + "\n", encoding="utf-8")
    tool(*OFFICER, "apply", str(province), str(tmp_path / "p.jsonl"))
    (tmp_path / "b.jsonl").write_text(person(worker, 6) + "\n", encoding="utf-8")
    tool(*WORKER, "apply", str(commune), str(tmp_path / "b.jsonl"))
    tool(*WORKER, "export", str(commune), str(tmp_path / "commune.capnp"))
    found = json.loads(tool(*OFFICER, "merge", str(province), str(tmp_path / "commune.capnp")).stdout)
    assert [c["reason"] for c in found["conflicts"]] == ["divergentVersions"]
    conflicts = json.loads(tool(*OFFICER, "conflicts", str(province)).stdout)["conflicts"]
    assert len(conflicts) == 1
    got = json.loads(tool(*OFFICER, "get", str(province), "person", CHILD).stdout)
    assert got["school"]["grade"] == 9

    # A commune worker may not resolve; the officer takes the commune's version.
    refused = tool(*WORKER, "resolve", str(province), conflicts[0]["id"], "take", "x", check=False)
    assert refused.returncode == 1 and "PERMISSION_DENIED" in refused.stderr
    tool(*OFFICER, "resolve", str(province), conflicts[0]["id"], "take", "checked at school")
    got = json.loads(tool(*OFFICER, "get", str(province), "person", CHILD).stdout)
    assert got["school"]["grade"] == 6
    assert "conflicts" not in json.loads(tool(*OFFICER, "conflicts", str(province)).stdout) or \
        json.loads(tool(*OFFICER, "conflicts", str(province)).stdout)["conflicts"] == []

    # The journal route: the next change arrives as a segment.
    (tmp_path / "c.jsonl").write_text(person(worker, 7) + "\n", encoding="utf-8")
    tool(*WORKER, "apply", str(commune), str(tmp_path / "c.jsonl"))
    tool(*WORKER, "export-journal", str(commune), str(tmp_path / "journal.capnp"))
    tool(*OFFICER, "merge", str(province), str(tmp_path / "journal.capnp"), "--journal")
    got = json.loads(tool(*OFFICER, "get", str(province), "person", CHILD).stdout)
    assert got["school"]["grade"] == 7
