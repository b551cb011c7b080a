"""treem: child-labour prevention records, rules, cases and indicators (Python bindings).

A thin layer over the C API (libtreem) with ctypes: no third-party dependency.
"""

from ._errors import (AlreadyExistsError, DataLossError, FailedPreconditionError,
                      InternalError, InvalidArgumentError, NotFoundError, OutOfRangeError,
                      PermissionDeniedError, ResourceExhaustedError, TreemError,
                      UnavailableError)
from ._native import ABI_MAJOR, lib as _lib, library_path
from ._util import FORMAT_CAPNP, FORMAT_CAPNP_PACKED, FORMAT_JSON
from .units import AdminUnits, UnitLevel
from .registry import Actor, Registry, Role
from .rules import Rules, classify, describe_code, judge_child, screen
from .cases import CaseBook, OpeningMode, timestamp, trigger
from .exchange import ImportRefused, csv_import, deidentify
from .reports import Dataset, compute_report, registry_report, render

__version__ = _lib.treem_version_string().decode()


def version():
    """The library's version text, e.g. '0.1.0'."""
    return _lib.treem_version_string().decode()


def version_number():
    """The library's version as MAJOR*10000 + MINOR*100 + PATCH."""
    return int(_lib.treem_version_number())


__all__ = [
    "Dataset", "compute_report", "registry_report", "render",
    "ImportRefused", "csv_import", "deidentify",
    "Registry", "Actor", "Role",
    "AdminUnits", "UnitLevel", "Rules", "classify", "judge_child", "screen", "describe_code",
    "CaseBook", "OpeningMode", "timestamp", "trigger",
    "version", "version_number", "library_path", "ABI_MAJOR",
    "FORMAT_CAPNP", "FORMAT_CAPNP_PACKED", "FORMAT_JSON",
    "TreemError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError",
    "PermissionDeniedError", "ResourceExhaustedError", "FailedPreconditionError",
    "OutOfRangeError", "UnavailableError", "DataLossError", "InternalError",
]
