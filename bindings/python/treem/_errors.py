"""Python exceptions for treem status codes (values equal absl::StatusCode)."""


class TreemError(Exception):
    """Base class of every error raised by treem."""

    def __init__(self, code, detail, message):
        super().__init__(message)
        self.code = code
        self.detail = detail


class InvalidArgumentError(TreemError, ValueError):
    """Bad input: malformed bytes, impossible dates, unknown codes, misuse."""


class NotFoundError(TreemError, LookupError):
    """A record, unit or file does not exist."""


class AlreadyExistsError(TreemError):
    pass


class PermissionDeniedError(TreemError, PermissionError):
    """The acting user's role or unit scope does not allow the call."""


class ResourceExhaustedError(TreemError):
    pass


class FailedPreconditionError(TreemError):
    """The call is not allowed in the current state (e.g. an illegal case transition)."""


class OutOfRangeError(TreemError, ValueError):
    """A value outside what the data covers (e.g. a date beyond the holiday calendar)."""


class UnavailableError(TreemError, OSError):
    pass


class DataLossError(TreemError):
    """Stored data is corrupt."""


class InternalError(TreemError):
    pass


_BY_CODE = {
    3: InvalidArgumentError, 5: NotFoundError, 6: AlreadyExistsError,
    7: PermissionDeniedError, 8: ResourceExhaustedError, 9: FailedPreconditionError,
    11: OutOfRangeError, 13: InternalError, 14: UnavailableError, 15: DataLossError,
}


def error_for(code, detail, message):
    return _BY_CODE.get(code, TreemError)(code, detail, message)


def check_status(status, func, args):
    """ctypes errcheck: raise the mapped exception when a treem_* call fails."""
    if status == 0:
        return status
    from ._native import lib
    err = lib.treem_error_last().contents
    msg = (err.message or b"").decode("utf-8", "replace") or f"{func.__name__} failed"
    raise error_for(status, err.detail, msg)
