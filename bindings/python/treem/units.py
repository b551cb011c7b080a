"""Administrative units: provinces, districts (before 2025-07-01) and communes, with the
lineage of the July 2025 reform."""

import ctypes
import enum
import os
import threading

from ._native import Buf, declare, lib, status_t
from ._util import NativeHandle, FORMAT_CAPNP, call_bytes, call_json, date_arg, text_arg

_p = ctypes.c_void_p
declare("treem_units_open_dir", [ctypes.POINTER(_p), ctypes.c_char_p], status_t)
declare("treem_units_free", [_p], None)
declare("treem_units_count",
        [ctypes.POINTER(ctypes.c_uint32), _p, ctypes.c_int32, ctypes.c_char_p], status_t)
declare("treem_units_find",
        [ctypes.POINTER(Buf), _p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int32], status_t)
declare("treem_units_containing",
        [ctypes.POINTER(Buf), _p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int32], status_t)
declare("treem_units_under",
        [ctypes.POINTER(Buf), _p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p,
         ctypes.c_int32], status_t)


class UnitLevel(enum.IntEnum):
    PROVINCE = 1
    DISTRICT = 2
    COMMUNE = 3
    VILLAGE = 4


class AdminUnits(NativeHandle):
    """The official unit lists, loaded from a folder of the official files.

    Results are plain dicts following the AdminUnit schema (treem/schema/units.capnp).
    Usable as a context manager; close() releases the native handle.
    """

    def __init__(self, folder):
        handle = _p()
        lib.treem_units_open_dir(ctypes.byref(handle), os.fsencode(folder))
        self._own(handle, lib.treem_units_free, threading.Lock())

    def count(self, level, on):
        """Number of units of `level` valid on date `on`."""
        n = ctypes.c_uint32()
        with self._lock:
            lib.treem_units_count(ctypes.byref(n), self._h(), int(UnitLevel(level)),
                                  date_arg(on, "on"))
        return n.value

    def find(self, code, on):
        """The unit with `code` valid on `on`, as a dict; NotFoundError if none."""
        with self._lock:
            return call_json(lib.treem_units_find, self._h(), text_arg(code, "code"),
                             date_arg(on, "on"))

    def find_bytes(self, code, on, fmt=FORMAT_CAPNP):
        """The same as find() as schema bytes (Cap'n Proto by default)."""
        with self._lock:
            return call_bytes(lib.treem_units_find, self._h(), text_arg(code, "code"),
                              date_arg(on, "on"), fmt=fmt)

    def containing(self, code, on):
        """The units that contain unit `code` on `on` (new commune(s) after the reform)."""
        with self._lock:
            return call_json(lib.treem_units_containing, self._h(), text_arg(code, "code"),
                             date_arg(on, "on")).get("units", [])

    def under(self, province_code, level, on):
        """The units of `level` under a province on `on`."""
        with self._lock:
            return call_json(lib.treem_units_under, self._h(),
                             text_arg(province_code, "province_code"),
                             int(UnitLevel(level)), date_arg(on, "on")).get("units", [])
