"""Loading, version checks, the error hierarchy and the declaration table."""

import ctypes
import re
import subprocess

import pytest

import treem
from treem import _native


def test_version_matches_library():
    assert re.fullmatch(r"\d+\.\d+\.\d+", treem.version())
    major, minor, patch = (int(x) for x in treem.version().split("."))
    assert treem.version_number() == major * 10000 + minor * 100 + patch
    assert major == treem.ABI_MAJOR


def test_status_names():
    assert _native.lib.treem_status_name(3) == b"INVALID_ARGUMENT"
    assert _native.lib.treem_status_name(9999) == b"UNKNOWN_STATUS"


def test_error_hierarchy_uses_builtin_bases():
    assert issubclass(treem.InvalidArgumentError, ValueError)
    assert issubclass(treem.NotFoundError, LookupError)
    assert issubclass(treem.UnavailableError, OSError)
    assert issubclass(treem.DataLossError, treem.TreemError)


def test_missing_folder_raises_not_found_with_path():
    with pytest.raises(treem.NotFoundError) as exc:
        treem.AdminUnits("/nonexistent-treem-folder")
    assert "nonexistent-treem-folder" in str(exc.value)
    assert exc.value.code == 5


def test_every_exported_function_is_declared():
    """Binding drift: every treem_* symbol of the library has a ctypes declaration."""
    out = subprocess.run(["nm", "-D", "--defined-only", _native.library_path],
                         capture_output=True, text=True, check=True).stdout
    exported = {line.split()[-1].split("@")[0] for line in out.splitlines()
                if line.split() and line.split()[-1].startswith("treem_")}
    import treem.units  # noqa: F401  (modules declare their functions on import)
    missing = exported - _native.declared_functions()
    assert not missing, f"exported but not declared in Python: {sorted(missing)}"


def test_mirrored_struct_sizes():
    assert ctypes.sizeof(_native.Buf) == 3 * ctypes.sizeof(ctypes.c_size_t)
    assert ctypes.sizeof(_native.Uuid) == 16
    assert _native.Error.message.offset == 8
