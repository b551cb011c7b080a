"""Helpers shared by the wrappers: dates, formats and JSON results."""

import ctypes
import datetime
import json
import weakref

from ._native import Buf, take_bytes

FORMAT_CAPNP = 1
FORMAT_CAPNP_PACKED = 2
FORMAT_JSON = 3


def date_arg(value, name="date"):
    """Accepts a datetime.date or 'YYYY-MM-DD' text; returns bytes for the C API."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat().encode()
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"{name}: expected a datetime.date or 'YYYY-MM-DD' text, "
                    f"got {type(value).__name__}")


def text_arg(value, name):
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected text, got {type(value).__name__}")
    return value.encode()


def call_json(fn, *args):
    """Calls a C function of shape f(treem_buf *out, ..., treem_format) asking for JSON and
    returns the decoded message as plain dicts and lists."""
    buf = Buf()
    fn(ctypes.byref(buf), *args, FORMAT_JSON)
    return json.loads(take_bytes(buf).decode("utf-8"))


def call_bytes(fn, *args, fmt=FORMAT_CAPNP):
    buf = Buf()
    fn(ctypes.byref(buf), *args, fmt)
    return take_bytes(buf)


class NativeHandle:
    """Owns one native handle. It is released by close(), when leaving a `with` block, or when
    the object is garbage-collected; every later call raises ValueError. `_lock` serialises
    use from several Python threads (a threading.Lock, or a readers/writer lock with .write())."""

    _handle = None

    def _own(self, handle, free, lock):
        self._handle = handle
        self._lock = lock
        self._finalizer = weakref.finalize(self, free, handle)

    def close(self):
        """Releases the native handle (idempotent)."""
        lock = self._lock.write() if hasattr(self._lock, "write") else self._lock
        with lock:
            self._finalizer()
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _h(self):
        if self._handle is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._handle
