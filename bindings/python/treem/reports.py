"""The programme's indicators (P1-P10 and operational figures) as reports
(docs/indicators.md)."""

import ctypes
import json
import os

from ._native import Buf, declare, lib, status_t, take_bytes
from ._util import FORMAT_CAPNP, FORMAT_JSON, NativeHandle, date_arg, text_arg
from .rules import _RWLock, to_micros

_p = ctypes.c_void_p
_s = ctypes.c_char_p
declare("treem_report_request_new", [ctypes.POINTER(_p)], status_t)
declare("treem_report_request_free", [_p], None)
declare("treem_report_request_set_unit", [_p, _s], status_t)
declare("treem_report_request_set_year", [_p, ctypes.c_int32], status_t)
declare("treem_report_request_set_quarter", [_p, ctypes.c_int32, ctypes.c_int32], status_t)
declare("treem_report_request_set_period", [_p, _s, _s], status_t)
declare("treem_report_request_set_map_date", [_p, _s], status_t)
declare("treem_report_request_set_plan_builtin", [_p, _s], status_t)
declare("treem_report_request_set_plan", [_p, _s, ctypes.c_size_t, ctypes.c_int32], status_t)
declare("treem_report_request_set_upward", [_p, ctypes.c_int], status_t)
declare("treem_report_request_set_breakdown", [_p, ctypes.c_int32], status_t)
declare("treem_report_request_set_provenance", [_p, ctypes.c_int], status_t)
declare("treem_report_request_add_dimension", [_p, ctypes.c_int32], status_t)
declare("treem_report_request_add_indicator", [_p, _s], status_t)
declare("treem_report_request_set_title", [_p, _s], status_t)
declare("treem_report_request_set_generated_at", [_p, ctypes.c_int64], status_t)
declare("treem_report_compute",
        [ctypes.POINTER(Buf), _s, ctypes.c_size_t, ctypes.c_int32, _p, _p, ctypes.c_int32],
        status_t)
declare("treem_registry_report",
        [ctypes.POINTER(Buf), _p, _s, ctypes.c_int32, _s, _p, _p, ctypes.c_int32], status_t)
declare("treem_report_render",
        [ctypes.POINTER(Buf), _s, ctypes.c_size_t, ctypes.c_int32, ctypes.c_int32], status_t)
declare("treem_dataset_from_snapshot",
        [ctypes.POINTER(_p), _s, ctypes.c_size_t, ctypes.c_int32, _p], status_t)
declare("treem_dataset_open_columns", [ctypes.POINTER(_p), _s, _p], status_t)
declare("treem_dataset_write_columns", [_p, _s], status_t)
declare("treem_dataset_report", [ctypes.POINTER(Buf), _p, _p, ctypes.c_int32], status_t)
declare("treem_dataset_persons", [ctypes.POINTER(ctypes.c_uint64), _p], status_t)
declare("treem_dataset_free", [_p], None)

RENDER_CSV = 1
RENDER_HTML = 2
RENDER_JSON = 3
DIMENSIONS = {"sex": 1, "statBand": 2, "ethnicity": 3, "ethnicMinority": 4, "poverty": 5,
              "residence": 6}


class _Request:
    """Owns a native treem_report_request built from keyword arguments."""

    def __init__(self, *, unit="", year=None, quarter=None, start=None, end=None, map_date=None,
                 plan=None, upward=False, breakdown=None, dimensions=(), indicators=(),
                 title=None, provenance=False, generated_at=None):
        h = _p()
        lib.treem_report_request_new(ctypes.byref(h))
        self.h = h
        try:
            lib.treem_report_request_set_unit(h, text_arg(unit, "unit"))
            if start is not None or end is not None:
                if start is None or end is None:
                    raise ValueError("start and end: give both, or a year")
                lib.treem_report_request_set_period(h, date_arg(start, "start"),
                                                    date_arg(end, "end"))
            elif quarter is not None:
                lib.treem_report_request_set_quarter(h, int(year), int(quarter))
            elif year is not None:
                lib.treem_report_request_set_year(h, int(year))
            else:
                raise ValueError("period: give year=, year= and quarter=, or start= and end=")
            if map_date is not None:
                lib.treem_report_request_set_map_date(h, date_arg(map_date, "map_date"))
            if isinstance(plan, str):
                lib.treem_report_request_set_plan_builtin(h, plan.encode())
            elif isinstance(plan, dict):
                data = json.dumps(plan, ensure_ascii=False).encode("utf-8")
                lib.treem_report_request_set_plan(h, data, len(data), FORMAT_JSON)
            elif plan is not None:
                raise TypeError("plan: a built-in plan name or a ProgrammePlan dict")
            lib.treem_report_request_set_upward(h, 1 if upward else 0)
            lib.treem_report_request_set_provenance(h, 1 if provenance else 0)
            if breakdown is not None:
                lib.treem_report_request_set_breakdown(h, int(breakdown))
            for d in dimensions:
                if d not in DIMENSIONS:
                    raise ValueError(f"dimensions: unknown dimension {d!r}; "
                                     f"expected one of {sorted(DIMENSIONS)}")
                lib.treem_report_request_add_dimension(h, DIMENSIONS[d])
            for i in indicators:
                lib.treem_report_request_add_indicator(h, text_arg(i, "indicators"))
            if title is not None:
                lib.treem_report_request_set_title(h, text_arg(title, "title"))
            if generated_at is not None:
                lib.treem_report_request_set_generated_at(
                    h, to_micros(generated_at, "generated_at"))
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.h is not None:
            lib.treem_report_request_free(self.h)
            self.h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _snapshot_arg(snapshot, fmt=FORMAT_CAPNP):
    """(bytes, treem_format) of a Snapshot given as a dict, JSON text or bytes in `fmt`."""
    if isinstance(snapshot, dict):
        return json.dumps(snapshot, ensure_ascii=False).encode("utf-8"), FORMAT_JSON
    if isinstance(snapshot, str):
        return snapshot.encode("utf-8"), FORMAT_JSON
    return bytes(snapshot), fmt


def _report_out(buf, fmt):
    out = take_bytes(buf)
    return json.loads(out.decode("utf-8")) if fmt == FORMAT_JSON else out


def compute_report(snapshot, units, *, fmt=FORMAT_JSON, **request):
    """Computes a Report from a Snapshot (capnp bytes or dict) on `units` (treem.AdminUnits).
    Keyword arguments describe the request: unit, year | year+quarter | start+end, map_date,
    plan ("qd-782-2021", "hoang-duc-2023" or a ProgrammePlan dict), upward, breakdown,
    dimensions (e.g. ["sex", "statBand"]), indicators (e.g. ["P1"]), title, provenance (the
    ids of the records behind each figure), generated_at (the instant the report states, a
    timezone-aware datetime or int microseconds; default: now; fixing it makes the bytes
    reproducible).
    Returns a dict (fmt=FORMAT_JSON) or capnp bytes. The indicator columns are rebuilt from
    the snapshot on every call: to report more than once on one snapshot, use Dataset."""
    data, in_fmt = _snapshot_arg(snapshot)
    with _Request(**request) as req:
        buf = Buf()
        lib.treem_report_compute(ctypes.byref(buf), data, len(data), in_fmt, units._h(), req.h,
                                 fmt)
    return _report_out(buf, fmt)


def registry_report(registry, actor, units, *, fmt=FORMAT_JSON, **request):
    """Computes a Report over a register's current state (see compute_report)."""
    from .registry import _actor
    with _Request(**request) as req:
        buf = Buf()
        with registry._lock:
            lib.treem_registry_report(ctypes.byref(buf), registry._h(),
                                      *_actor(actor)._args(), units._h(), req.h, fmt)
    return _report_out(buf, fmt)


class Dataset(NativeHandle):
    """The indicator columns of a snapshot, built once and reported on many times
    (docs/indicators.md "Column files"). compute_report rebuilds them on every call, which
    takes minutes at national scale; a Dataset is built once, or opened from a column file
    written earlier, and each report then costs only the scans.

        with treem.Dataset.from_snapshot(snapshot, units) as ds:
            ds.write_columns("/var/lib/treem/national.tcol")
        with treem.Dataset.open_columns("/var/lib/treem/national.tcol", units) as ds:
            report = ds.report(year=2025, dimensions=["sex"])

    Reports (and write_columns) may run from several threads at once: the native calls run
    in parallel. close() waits for them. Usable as a context manager."""

    def __init__(self):
        raise TypeError("use Dataset.from_snapshot() or Dataset.open_columns()")

    @classmethod
    def _adopt(cls, handle):
        self = object.__new__(cls)
        self._own(handle, lib.treem_dataset_free, _RWLock())
        return self

    @classmethod
    def from_snapshot(cls, snapshot, units, fmt=FORMAT_CAPNP):
        """Builds the columns of a Snapshot (bytes in `fmt`, a dict or JSON text) on `units`
        (treem.AdminUnits; the dataset keeps its own reference to them)."""
        data, in_fmt = _snapshot_arg(snapshot, fmt)
        handle = _p()
        lib.treem_dataset_from_snapshot(ctypes.byref(handle), data, len(data), in_fmt,
                                        units._h())
        return cls._adopt(handle)

    @classmethod
    def open_columns(cls, path, units):
        """Opens a column file (written by write_columns or a register's checkpoint); its
        records' unit codes are resolved on `units`. The file is mapped, not copied. Raises
        NotFoundError (no file), DataLossError (damage, naming the column) or
        FailedPreconditionError (another version: rebuild it from the snapshot)."""
        handle = _p()
        lib.treem_dataset_open_columns(ctypes.byref(handle), os.fsencode(path), units._h())
        return cls._adopt(handle)

    def write_columns(self, path):
        """Writes the columns to `path` atomically (temporary file, fsync, rename)."""
        with self._lock.read():
            lib.treem_dataset_write_columns(self._h(), os.fsencode(path))

    def report(self, *, fmt=FORMAT_JSON, **request):
        """Computes a Report; the request keywords are those of compute_report, and for the
        same snapshot and request (with generated_at fixed) the result is identical.
        Returns a dict (fmt=FORMAT_JSON) or capnp bytes."""
        with _Request(**request) as req:
            buf = Buf()
            with self._lock.read():
                lib.treem_dataset_report(ctypes.byref(buf), self._h(), req.h, fmt)
        return _report_out(buf, fmt)

    @property
    def persons(self):
        """The number of persons (children and adults) in the dataset."""
        n = ctypes.c_uint64()
        with self._lock.read():
            lib.treem_dataset_persons(ctypes.byref(n), self._h())
        return n.value


def render(report, kind="html"):
    """Renders a Report (capnp bytes or dict) as "csv", "html" or "json" text."""
    kinds = {"csv": RENDER_CSV, "html": RENDER_HTML, "json": RENDER_JSON}
    if kind not in kinds:
        raise ValueError(f"kind: expected one of {sorted(kinds)}")
    if isinstance(report, dict):
        data, fmt = json.dumps(report, ensure_ascii=False).encode("utf-8"), FORMAT_JSON
    else:
        data, fmt = bytes(report), FORMAT_CAPNP
    buf = Buf()
    lib.treem_report_render(ctypes.byref(buf), data, len(data), fmt, kinds[kind])
    return take_bytes(buf).decode("utf-8")


def values(report, unit=None):
    """{indicator id: value dict} of the totals (no breakdown) of a Report dict."""
    out = {}
    for v in report.get("values", []):
        if unit is not None and v.get("unitCode") != unit:
            continue
        d = v.get("disaggregation", {})
        if any(d.get(k) for k in d if k.startswith("by")):
            continue
        out.setdefault(v.get("indicatorId"), v)
    return out



