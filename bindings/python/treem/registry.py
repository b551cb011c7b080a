"""The durable embedded registry: commands in, records, history and deadlines out.

    with treem.Registry("/var/lib/treem/15865", create=True, scope=["15865"]) as reg:
        worker = treem.Actor("worker-1", "communeWorker", "15865")
        seq = reg.apply({"actor": worker.as_dict(), "source": "api",
                         "payload": {"upsertPerson": {...}}})
        person = reg.get(worker, "person", "0b6e...")

Commands are dicts following the Command schema (treem/schema/commands.capnp, JSON mapping of
docs/schema.md) or schema bytes; results are plain dicts (or bytes with the *_bytes methods).
"""

import ctypes
import dataclasses
import enum
import json
import os
import threading

from ._native import Buf, declare, lib, status_t, take_bytes
from ._util import NativeHandle, FORMAT_CAPNP, FORMAT_JSON, date_arg, text_arg

_p = ctypes.c_void_p
_c = ctypes.c_char_p
_i32 = ctypes.c_int32
_u64p = ctypes.POINTER(ctypes.c_uint64)
_bufp = ctypes.POINTER(Buf)
_u8p = ctypes.c_char_p

declare("treem_registry_options_new", [ctypes.POINTER(_p)], status_t)
declare("treem_registry_options_free", [_p], None)
declare("treem_registry_options_set_create", [_p, ctypes.c_int], status_t)
declare("treem_registry_options_set_read_only", [_p, ctypes.c_int], status_t)
declare("treem_registry_options_set_sync", [_p, _i32], status_t)
declare("treem_registry_options_add_scope", [_p, _c], status_t)
declare("treem_registry_options_set_units", [_p, _p], status_t)
declare("treem_registry_open", [ctypes.POINTER(_p), _c, _p], status_t)
declare("treem_registry_free", [_p], None)
declare("treem_registry_apply", [_u64p, _p, _u8p, ctypes.c_size_t, _i32], status_t)
declare("treem_registry_apply_batch", [_u64p, _p, _u8p, ctypes.c_size_t, _i32], status_t)
declare("treem_registry_get", [_bufp, _p, _c, _i32, _c, _c, _c, _i32], status_t)
declare("treem_registry_list", [_bufp, _p, _c, _i32, _c, _c, _i32], status_t)
declare("treem_registry_history", [_bufp, _p, _c, _i32, _c, _c, _c, _i32], status_t)
declare("treem_registry_due", [_bufp, _p, _c, _i32, _c, ctypes.c_int64, ctypes.c_uint32, _i32],
        status_t)
declare("treem_registry_verdict", [_bufp, _p, _c, _i32, _c, _c, _c, _c, _i32], status_t)
declare("treem_registry_checkpoint", [_u64p, _p], status_t)
declare("treem_registry_export", [_bufp, _p, _c, _i32, _c, _i32], status_t)
declare("treem_registry_import", [_p, _c, _i32, _c, _u8p, ctypes.c_size_t, _i32], status_t)
declare("treem_registry_last_seq", [_u64p, _p], status_t)
declare("treem_registry_export_journal", [_bufp, _p, _c, _i32, _c, ctypes.c_uint64, _i32],
        status_t)
declare("treem_registry_merge", [_bufp, _p, _c, _i32, _c, _i32, _u8p, ctypes.c_size_t, _i32, _i32],
        status_t)
declare("treem_registry_conflicts", [_bufp, _p, _c, _i32, _c, ctypes.c_int, _i32], status_t)
declare("treem_registry_resolve_conflict", [_u64p, _p, _c, _i32, _c, _c, _i32, _c], status_t)

_MERGE_SOURCES = {"snapshot": 1, "journal": 2}
_DECISIONS = {"keepCurrent": 1, "takeIncoming": 2}


class Role(enum.IntEnum):
    """Access roles; values equal the schema enum Role."""
    COMMUNE_WORKER = 1
    COMMUNE_CHAIR = 2
    PROVINCE_OFFICER = 3
    ANALYST = 4
    INSPECTOR = 5
    AUDITOR = 6
    SYSTEM = 7


_ROLE_NAMES = {"communeWorker": Role.COMMUNE_WORKER, "communeChair": Role.COMMUNE_CHAIR,
               "provinceOfficer": Role.PROVINCE_OFFICER, "analyst": Role.ANALYST,
               "inspector": Role.INSPECTOR, "auditor": Role.AUDITOR, "system": Role.SYSTEM}
_SYNC = {"full": 1, "normal": 2, "off": 3}


def _role(value):
    if isinstance(value, str):
        if value not in _ROLE_NAMES:
            raise ValueError(f"role: unknown role {value!r}")
        return _ROLE_NAMES[value]
    return Role(value)


@dataclasses.dataclass(frozen=True)
class Actor:
    """The acting user of a read or a write: login id, role, admin unit code."""
    user_id: str
    role: object  # Role, its int value or its schema name ("communeWorker")
    unit_code: str = ""

    def _args(self):
        return (text_arg(self.user_id, "user_id"), int(_role(self.role)),
                text_arg(self.unit_code, "unit_code"))

    def as_dict(self):
        """The schema Actor as a JSON-mapping dict (for command envelopes)."""
        names = {v: k for k, v in _ROLE_NAMES.items()}
        return {"userId": self.user_id, "role": names[_role(self.role)],
                "unitCode": self.unit_code}


def _actor(value):
    if isinstance(value, Actor):
        return value
    if isinstance(value, dict):
        return Actor(value.get("userId", ""), value.get("role", 0), value.get("unitCode", ""))
    if isinstance(value, (tuple, list)):
        return Actor(*value)
    raise TypeError(f"actor: expected an Actor, a dict or a tuple, got {type(value).__name__}")


def _payload(value, name):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), FORMAT_CAPNP
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False).encode("utf-8"), FORMAT_JSON
    if isinstance(value, str):
        return value.encode("utf-8"), FORMAT_JSON
    raise TypeError(f"{name}: expected a dict, JSON text or capnp bytes, "
                    f"got {type(value).__name__}")


class Registry(NativeHandle):
    """A registry folder (journal + snapshots). Usable as a context manager.

    Registry(path, create=False, sync="normal", scope=None, units=None, read_only=False)
    """

    def __init__(self, path, create=False, sync="normal", scope=None, units=None,
                 read_only=False):
        if sync not in _SYNC:
            raise ValueError(f"sync: expected one of {sorted(_SYNC)}, got {sync!r}")
        opts = _p()
        lib.treem_registry_options_new(ctypes.byref(opts))
        try:
            lib.treem_registry_options_set_create(opts, 1 if create else 0)
            lib.treem_registry_options_set_read_only(opts, 1 if read_only else 0)
            lib.treem_registry_options_set_sync(opts, _SYNC[sync])
            for code in scope or []:
                lib.treem_registry_options_add_scope(opts, text_arg(code, "scope"))
            if units is not None:
                lib.treem_registry_options_set_units(opts, units._h())
            handle = _p()
            lib.treem_registry_open(ctypes.byref(handle), os.fsencode(path), opts)
        finally:
            lib.treem_registry_options_free(opts)
        self._own(handle, lib.treem_registry_free, threading.Lock())

    # ---- writes ----
    def apply(self, command):
        """Applies one command (dict, JSON text or capnp bytes); returns its journal seq."""
        data, fmt = _payload(command, "command")
        seq = ctypes.c_uint64()
        with self._lock:
            lib.treem_registry_apply(ctypes.byref(seq), self._h(), data, len(data), fmt)
        return seq.value

    def apply_batch(self, commands):
        """Applies a list of commands all or nothing; returns the seq of the batch."""
        if isinstance(commands, (list, tuple)):
            commands = {"commands": list(commands)}
        data, fmt = _payload(commands, "commands")
        seq = ctypes.c_uint64()
        with self._lock:
            lib.treem_registry_apply_batch(ctypes.byref(seq), self._h(), data, len(data), fmt)
        return seq.value

    def import_csv(self, actor, households=None, children=None, commune_code="",
                   skip_bad_rows=False):
        """Imports village survey lists (paths, text or bytes) all or nothing; returns
        (seq, report). Raises treem.exchange.ImportRefused (with .report) when rows have
        problems and skip_bad_rows is False: nothing is committed then."""
        from .exchange import registry_import_csv
        return registry_import_csv(self, households, children, commune_code=commune_code,
                                   actor=actor, skip_bad_rows=skip_bad_rows)

    def report(self, actor, units, **request):
        """The programme's indicators over this register (see treem.compute_report for the
        request keywords: year=, start=/end=, map_date=, plan=, dimensions=, ...)."""
        from .reports import registry_report
        return registry_report(self, actor, units, **request)

    def checkpoint(self):
        """Writes a snapshot and compacts the journal; returns the seq it covers."""
        seq = ctypes.c_uint64()
        with self._lock:
            lib.treem_registry_checkpoint(ctypes.byref(seq), self._h())
        return seq.value

    def import_snapshot(self, actor, snapshot):
        """Loads a full snapshot (dict, JSON text or capnp bytes) into an empty registry."""
        data, fmt = _payload(snapshot, "snapshot")
        with self._lock:
            lib.treem_registry_import(self._h(), *_actor(actor)._args(), data, len(data), fmt)

    @property
    def last_seq(self):
        out = ctypes.c_uint64()
        with self._lock:
            lib.treem_registry_last_seq(ctypes.byref(out), self._h())
        return out.value

    # ---- reads ----
    def _call(self, fn, *args, fmt=FORMAT_JSON):
        buf = Buf()
        with self._lock:
            fn(ctypes.byref(buf), self._h(), *args, fmt)
        data = take_bytes(buf)
        return json.loads(data.decode("utf-8")) if fmt == FORMAT_JSON else data

    def get(self, actor, kind, record_id, fmt=FORMAT_JSON):
        """One record ("person", "case", ..., "classification", "indicatorDefinition")."""
        return self._call(lib.treem_registry_get, *_actor(actor)._args(), text_arg(kind, "kind"),
                          text_arg(str(record_id), "record_id"), fmt=fmt)

    def list(self, actor, kind, fmt=FORMAT_JSON):
        """The records of `kind` the actor may see (a list of dicts; bytes of a Snapshot with
        another fmt)."""
        out = self._call(lib.treem_registry_list, *_actor(actor)._args(),
                         text_arg(kind, "kind"), fmt=fmt)
        if fmt != FORMAT_JSON:
            return out
        for key, value in out.items():
            if key != "header" and isinstance(value, list):
                return value
        return []

    def history(self, actor, kind, record_id, fmt=FORMAT_JSON):
        """Who changed and read a record: the list of audit entries, oldest first."""
        out = self._call(lib.treem_registry_history, *_actor(actor)._args(),
                         text_arg(kind, "kind"), text_arg(str(record_id), "record_id"), fmt=fmt)
        return out.get("entries", []) if fmt == FORMAT_JSON else out

    def due(self, actor, at_micros, due_soon_hours=48, fmt=FORMAT_JSON):
        """Open case deadlines at an instant (microseconds since the epoch, UTC)."""
        return self._call(lib.treem_registry_due, *_actor(actor)._args(), int(at_micros),
                          int(due_soon_hours), fmt=fmt)

    def verdict(self, actor, child_id, start, end, fmt=FORMAT_JSON):
        """The child-level verdict over the child's activities from `start` to `end`."""
        return self._call(lib.treem_registry_verdict, *_actor(actor)._args(),
                          text_arg(str(child_id), "child_id"), date_arg(start, "start"),
                          date_arg(end, "end"), fmt=fmt)

    def export(self, actor, fmt=FORMAT_JSON):
        """The full state as a Snapshot (dict, or bytes with another fmt)."""
        return self._call(lib.treem_registry_export, *_actor(actor)._args(), fmt=fmt)

    # ---- province merge (docs/exchange.md section 3) ----
    def export_journal(self, actor, from_seq=1, fmt=FORMAT_JSON):
        """The journal entries from `from_seq` on, as a JournalSegment (dict, or bytes with
        another fmt), for a province merge. Raises FailedPreconditionError when older entries
        were compacted into a snapshot (merge the snapshot first)."""
        buf = Buf()
        with self._lock:
            lib.treem_registry_export_journal(ctypes.byref(buf), self._h(),
                                              *_actor(actor)._args(), int(from_seq), fmt)
        data = take_bytes(buf)
        return json.loads(data.decode("utf-8")) if fmt == FORMAT_JSON else data

    def merge(self, actor, data, source="snapshot"):
        """Merges a commune store's snapshot (source="snapshot": export()) or journal segment
        (source="journal": export_journal()) given as a dict, JSON text or capnp bytes, as one
        atomic journal entry. Returns the MergeRecord dict: applied, unchanged, stale,
        alreadyImported, knownConflicts, skipped, the new conflicts and seq (0: nothing was
        committed). Conflicts are never applied: review them with conflicts() and
        resolve_conflict()."""
        if source not in _MERGE_SOURCES:
            raise ValueError(f"source: expected 'snapshot' or 'journal', got {source!r}")
        payload, fmt = _payload(data, source)
        buf = Buf()
        with self._lock:
            lib.treem_registry_merge(ctypes.byref(buf), self._h(), *_actor(actor)._args(),
                                     _MERGE_SOURCES[source], payload, len(payload), fmt,
                                     FORMAT_JSON)
        return _merge_record(json.loads(take_bytes(buf).decode("utf-8")))

    def conflicts(self, actor, open_only=True):
        """The merge conflicts (those waiting for review, or all), oldest first: dicts with
        id, kind, recordId, reason, current/incoming (storeId, seq), status, ..."""
        out = self._call(lib.treem_registry_conflicts, *_actor(actor)._args(),
                         1 if open_only else 0)
        return out.get("conflicts", [])

    def resolve_conflict(self, actor, conflict_id, decision, reason):
        """Closes an open conflict: decision "keepCurrent" or "takeIncoming" (which applies the
        incoming version in the same journal entry); returns the seq."""
        if decision not in _DECISIONS:
            raise ValueError(f"decision: expected 'keepCurrent' or 'takeIncoming', got {decision!r}")
        seq = ctypes.c_uint64()
        with self._lock:
            lib.treem_registry_resolve_conflict(ctypes.byref(seq), self._h(),
                                                *_actor(actor)._args(),
                                                text_arg(str(conflict_id), "conflict_id"),
                                                _DECISIONS[decision],
                                                text_arg(reason, "reason"))
        return seq.value


def _merge_record(d):
    """64-bit counters arrive as JSON strings; seq is returned as an int."""
    d["seq"] = int(d.get("seq", 0))
    return d
