"""Indicator datasets through Python: built once from a snapshot, written as a column file,
reopened, and reported on with the same bytes as compute_report; bad files and misuse."""

import datetime
import struct

import pytest

import treem
from small_register import ACTOR, CHILDREN, HOUSEHOLDS, record_girl_working, run_threads

GENERATED_AT = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
REQUEST = dict(unit="15928", year=2024, plan="hoang-duc-2023", dimensions=["sex"],
               generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def units(shared_units_dir):
    with treem.AdminUnits(str(shared_units_dir)) as u:
        yield u


@pytest.fixture(scope="module")
def register(tmp_path_factory, units):
    """The small register of test_reports: three children, the girl of 12 working 15 hours a
    week. Returns (snapshot bytes, snapshot dict, the girl's id, number of persons)."""
    path = tmp_path_factory.mktemp("reg") / "s"
    with treem.Registry(str(path), create=True, scope=["15928"], units=units) as reg:
        reg.import_csv(ACTOR, HOUSEHOLDS, CHILDREN, commune_code="15928")
        persons = reg.list(ACTOR, "person")
        girl = record_girl_working(reg)
        return (reg.export(ACTOR, fmt=treem.FORMAT_CAPNP), reg.export(ACTOR), girl,
                len(persons))


def _crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _column(data, name):
    """(offset, bytes) of a named column of a column file (docs/indicators.md)."""
    count = struct.unpack_from("<I", data, 24)[0]
    for i in range(count):
        entry = 64 + 48 * i
        if data[entry:entry + 24].rstrip(b"\0") == name.encode():
            return struct.unpack_from("<QQ", data, entry + 24)
    raise KeyError(name)


def _write_columns(tmp_path, snapshot, units, name="ds.tcol"):
    path = tmp_path / name
    with treem.Dataset.from_snapshot(snapshot, units) as ds:
        ds.write_columns(path)
    return path


def test_reopened_columns_report_the_same_bytes_as_compute_report(tmp_path, units, register):
    snapshot, snapshot_dict, girl, persons = register
    with treem.Dataset.from_snapshot(snapshot, units) as built:
        assert built.persons == persons == 3
        built.write_columns(str(tmp_path / "ds.tcol"))
        built_json = built.report(**REQUEST)
    with treem.Dataset.open_columns(tmp_path / "ds.tcol", units) as ds:
        assert ds.persons == persons
        for fmt in (treem.FORMAT_JSON, treem.FORMAT_CAPNP, treem.FORMAT_CAPNP_PACKED):
            assert ds.report(fmt=fmt, **REQUEST) == treem.compute_report(snapshot, units, fmt=fmt,
                                                                          **REQUEST)
        report = ds.report(**REQUEST)
        assert report == built_json
        assert report["generatedAt"]["micros"] == "1735689600000000"
        p1 = treem.reports.values(report, "15928")["P1"]
        assert int(p1["numerator"]) == 1        # the girl of 12 working: child labour
        assert int(p1["denominator"]) == 2      # children 5-17: the girl and the boy

        prov = dict(unit="15928", year=2024, indicators=["P1"], provenance=True,
                    generated_at=1735689600000000)
        with_ids = ds.report(**prov)
        assert with_ids == treem.compute_report(snapshot, units, **prov)
        assert treem.reports.values(with_ids, "15928")["P1"]["recordIds"] == [girl]

        # Several threads on one dataset (the native reports run in parallel).
        reference = treem.compute_report(snapshot, units, fmt=treem.FORMAT_CAPNP, **REQUEST)
        results = []

        def work():
            for _ in range(5):
                results.append(ds.report(fmt=treem.FORMAT_CAPNP, **REQUEST))
        assert not run_threads(work)
        assert len(results) == 20 and all(r == reference for r in results)

    # A snapshot given as a dict gives the same dataset.
    with treem.Dataset.from_snapshot(snapshot_dict, units) as from_dict:
        assert from_dict.report(**REQUEST) == report


def test_missing_damaged_and_foreign_files_raise(tmp_path, units, register):
    snapshot = register[0]
    with pytest.raises(treem.NotFoundError) as exc:
        treem.Dataset.open_columns(tmp_path / "no-such.tcol", units)
    assert "no-such.tcol" in str(exc.value)

    good = _write_columns(tmp_path, snapshot, units).read_bytes()
    offset, size = _column(good, "p_birth")
    assert size > 0
    damaged = bytearray(good)
    damaged[offset] ^= 0x40
    (tmp_path / "damaged.tcol").write_bytes(bytes(damaged))
    with pytest.raises(treem.DataLossError) as exc:
        treem.Dataset.open_columns(tmp_path / "damaged.tcol", units)
    assert "p_birth" in str(exc.value)
    assert "Hoa" not in str(exc.value) and "Lê" not in str(exc.value)

    # Damaged record ids: totals still computable, provenance refused naming the column.
    offset, size = _column(good, "p_id")
    damaged = bytearray(good)
    damaged[offset + 3] ^= 0x01
    (tmp_path / "ids.tcol").write_bytes(bytes(damaged))
    with treem.Dataset.open_columns(tmp_path / "ids.tcol", units) as ds:
        assert ds.report(**REQUEST) == treem.compute_report(snapshot, units, **REQUEST)
        with pytest.raises(treem.DataLossError) as exc:
            ds.report(year=2024, provenance=True)
        assert "p_id" in str(exc.value)
        with pytest.raises(treem.DataLossError):
            ds.write_columns(tmp_path / "copy.tcol")
    assert not (tmp_path / "copy.tcol").exists()

    # Another version (a consistent header): rebuild from the snapshot.
    header = bytearray(good[:64])
    struct.pack_into("<II", header, 8, 2, 0)
    struct.pack_into("<I", header, 12, _crc32c(bytes(header)))
    (tmp_path / "v2.tcol").write_bytes(bytes(header) + good[64:])
    with pytest.raises(treem.FailedPreconditionError) as exc:
        treem.Dataset.open_columns(tmp_path / "v2.tcol", units)
    assert "version 2" in str(exc.value)

    (tmp_path / "text.tcol").write_bytes(b"x" * 100)
    with pytest.raises(treem.DataLossError):
        treem.Dataset.open_columns(tmp_path / "text.tcol", units)


def test_misuse_and_bad_formats_raise(tmp_path, units, register):
    snapshot = register[0]
    with pytest.raises(TypeError):
        treem.Dataset()
    with pytest.raises(treem.InvalidArgumentError) as exc:
        treem.Dataset.from_snapshot(snapshot, units, fmt=9)
    assert exc.value.detail == 1  # misuse
    with pytest.raises(treem.InvalidArgumentError) as exc:
        treem.Dataset.from_snapshot(snapshot, units, fmt=treem.FORMAT_JSON)
    assert "snapshot" in str(exc.value)
    with pytest.raises(treem.InvalidArgumentError):
        treem.Dataset.from_snapshot(b"xx", units)
    with pytest.raises(AttributeError):
        treem.Dataset.from_snapshot(snapshot, None)

    ds = treem.Dataset.from_snapshot(snapshot, units)
    with pytest.raises(treem.InvalidArgumentError) as exc:
        ds.report(fmt=0, **REQUEST)
    assert exc.value.detail == 1
    with pytest.raises(TypeError):
        ds.report(year=2024, no_such_keyword=1)  # exactly compute_report's keywords
    with pytest.raises(ValueError):
        ds.report()  # no period
    with pytest.raises(treem.InvalidArgumentError) as exc:
        ds.report(year=2024, unit="99999")
    assert "99999" in str(exc.value)
    with pytest.raises(ValueError):
        ds.report(year=2024, generated_at=datetime.datetime(2025, 1, 1))  # naive
    with pytest.raises(treem.InvalidArgumentError):
        ds.report(year=2024, generated_at=-1)
    with pytest.raises(treem.UnavailableError):
        ds.write_columns(tmp_path / "no" / "such" / "dir" / "x.tcol")
    ds.close()
    ds.close()  # idempotent
    with pytest.raises(ValueError):
        ds.report(**REQUEST)
    with pytest.raises(ValueError):
        ds.persons
