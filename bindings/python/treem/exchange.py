"""Exchange: village survey lists (CSV) into commands, and the de-identified export for
reporting upward (docs/exchange.md)."""

import ctypes
import json
import os

from ._errors import error_for
from ._native import Buf, declare, lib, status_t, take_bytes
from ._util import FORMAT_CAPNP, FORMAT_JSON

_p = ctypes.c_void_p
_u8p = ctypes.c_char_p
declare("treem_csv_import",
        [ctypes.POINTER(Buf), _u8p, ctypes.c_size_t, _u8p, ctypes.c_size_t, ctypes.c_char_p,
         ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int64, ctypes.c_uint32,
         ctypes.c_int32], status_t)
# Checked by hand: a refused import still fills the report, which the error carries.
declare("treem_registry_import_csv",
        [ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(Buf), _p, _u8p, ctypes.c_size_t, _u8p,
         ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p,
         ctypes.c_uint32, ctypes.c_int32], status_t, check=False)
declare("treem_deidentify",
        [ctypes.POINTER(Buf), _u8p, ctypes.c_size_t, ctypes.c_int32, _u8p, ctypes.c_size_t,
         ctypes.c_uint32, ctypes.c_int32], status_t)

SKIP_BAD_ROWS = 1
VALIDATE_ONLY = 2
KEEP_VILLAGES = 1
COARSEN_EVENT_DATES = 2
BIRTH_YEAR_ONLY = 4


def _data(value, name):
    """bytes, str (CSV text) or a path-like to a file; None is an empty file."""
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, os.PathLike):
        with open(value, "rb") as f:
            return f.read()
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"{name}: expected bytes, text or a path, got {type(value).__name__}")


def csv_import(households=None, children=None, *, commune_code="", actor, at_micros=0,
               skip_bad_rows=False, validate_only=False):
    """Reads survey lists into a CsvImportReport dict: {"commands": {"commands": [...]},
    "issues": [{file, line, column, reason, ...}], counts}. Data problems are in "issues";
    nothing is raised for them. `actor` is a treem.Actor (or tuple/dict)."""
    from .registry import _actor
    h = _data(households, "households")
    c = _data(children, "children")
    flags = (SKIP_BAD_ROWS if skip_bad_rows else 0) | (VALIDATE_ONLY if validate_only else 0)
    buf = Buf()
    lib.treem_csv_import(ctypes.byref(buf), h, len(h), c, len(c), commune_code.encode(),
                         *_actor(actor)._args(), int(at_micros), flags, FORMAT_JSON)
    return json.loads(take_bytes(buf).decode("utf-8"))


class ImportRefused(ValueError):
    """Raised by Registry.import_csv when rows have problems and skip_bad_rows is off;
    `report` holds every problem. Nothing was committed."""

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


def registry_import_csv(registry, households=None, children=None, *, commune_code="", actor,
                        skip_bad_rows=False):
    """Imports survey lists into `registry` all or nothing; returns (seq, report)."""
    from .registry import _actor
    h = _data(households, "households")
    c = _data(children, "children")
    seq = ctypes.c_uint64()
    buf = Buf()
    with registry._lock:
        status = lib.treem_registry_import_csv(
            ctypes.byref(seq), ctypes.byref(buf), registry._h(), h, len(h), c, len(c),
            commune_code.encode(), *_actor(actor)._args(),
            SKIP_BAD_ROWS if skip_bad_rows else 0, FORMAT_JSON)
        err = lib.treem_error_last().contents if status != 0 else None
        code, detail = (status, err.detail) if err else (0, 0)
        message = (err.message or b"").decode("utf-8", "replace") if err else ""
    report = json.loads(take_bytes(buf).decode("utf-8")) if buf.data else None
    if status == 3 and report is not None and report.get("issues"):
        raise ImportRefused(message, report)
    if status != 0:
        raise error_for(code, detail, message)
    return seq.value, report


def deidentify(snapshot, *, secret=None, keep_villages=False, coarsen_event_dates=False,
               birth_year_only=False, fmt=FORMAT_JSON):
    """De-identifies a Snapshot (capnp bytes, JSON text or dict) for reporting upward.
    Returns a dict (fmt=FORMAT_JSON) or capnp bytes (fmt=FORMAT_CAPNP)."""
    if isinstance(snapshot, dict):
        data, in_fmt = json.dumps(snapshot, ensure_ascii=False).encode("utf-8"), FORMAT_JSON
    elif isinstance(snapshot, str):
        data, in_fmt = snapshot.encode("utf-8"), FORMAT_JSON
    else:
        data, in_fmt = bytes(snapshot), FORMAT_CAPNP
    key = None if secret is None else (secret.encode() if isinstance(secret, str) else secret)
    flags = ((KEEP_VILLAGES if keep_villages else 0) |
             (COARSEN_EVENT_DATES if coarsen_event_dates else 0) |
             (BIRTH_YEAR_ONLY if birth_year_only else 0))
    buf = Buf()
    lib.treem_deidentify(ctypes.byref(buf), data, len(data), in_fmt, key,
                         0 if key is None else len(key), flags, fmt)
    out = take_bytes(buf)
    return json.loads(out.decode("utf-8")) if fmt == FORMAT_JSON else out
