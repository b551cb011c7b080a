"""Loading libtreem and declaring the C functions (ctypes, no third-party dependency).

The library is found, in order: $TREEM_LIBRARY (an explicit path; ctest sets it), a copy
bundled next to this file, the build tree of a source checkout, then the versioned SONAME
through the system loader. The unversioned libtreem.so development link is never loaded.
"""

import ctypes
import os
import pathlib

ABI_MAJOR = 0
_SONAME = f"libtreem.so.{ABI_MAJOR}"


def _candidates():
    env = os.environ.get("TREEM_LIBRARY")
    if env:
        yield env
    here = pathlib.Path(__file__).resolve().parent
    yield str(here / _SONAME)
    # A source checkout: bindings/python/treem -> <root>/build*/capi/
    root = here.parent.parent.parent
    for build in sorted(root.glob("build*/capi")):
        yield str(build / _SONAME)
    yield _SONAME


def _load():
    tried = []
    for path in _candidates():
        if path != _SONAME and not os.path.exists(path):
            tried.append(f"{path}: no such file")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            tried.append(f"{path}: {exc}")
    raise ImportError("cannot load libtreem; tried:\n  " + "\n  ".join(tried))


lib, library_path = _load()


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int32), ("detail", ctypes.c_int32),
                ("message", ctypes.c_char_p)]


class Buf(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint8)), ("size", ctypes.c_size_t),
                ("reserved_", ctypes.c_size_t)]


class Uuid(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint8 * 16)]


status_t = ctypes.c_int32
_DECLARED = set()


def declare(name, argtypes, restype, check=True):
    """Declares one C function; status-returning functions raise TreemError on failure."""
    from ._errors import check_status  # late import: _errors uses `lib`
    fn = getattr(lib, name)
    fn.argtypes = argtypes
    fn.restype = restype
    if check and restype is status_t:
        fn.errcheck = check_status
    _DECLARED.add(name)
    return fn


def declared_functions():
    return set(_DECLARED)


# ---- common.h ----
declare("treem_version_number", [], ctypes.c_uint32)
declare("treem_version_string", [], ctypes.c_char_p)
declare("treem_error_last", [], ctypes.POINTER(Error))
declare("treem_status_name", [status_t], ctypes.c_char_p)
declare("treem_buf_dispose", [ctypes.POINTER(Buf)], None)

if lib.treem_version_number() // 10000 != ABI_MAJOR:
    raise ImportError(
        f"libtreem at {library_path} has version {lib.treem_version_string().decode()}, "
        f"this package needs major {ABI_MAJOR}")


def take_bytes(buf):
    """Copies a library-owned treem_buf into Python bytes and disposes it."""
    try:
        if not buf.data:
            return b""
        return ctypes.string_at(buf.data, buf.size)
    finally:
        lib.treem_buf_dispose(ctypes.byref(buf))
