"""Child-protection case management with legal deadlines (docs/cases.md).

A CaseBook keeps cases, referrals and service providers in memory with the shipped Vietnam
calendar and deadline rules. Commands are dicts in the JSON shape of treem/schema/cases.capnp
CaseCommand: the case id, a reason, and one member of `body` naming the command:

    {"caseId": "5d2c6a3e-0b1f-4c7e-9a24-6f1d2e3c4b5a", "reason": "report from 111",
     "body": {"openCase": {
         "caseId": "5d2c6a3e-0b1f-4c7e-9a24-6f1d2e3c4b5a",
         "childId": "0f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0",
         "unitCode": "15865", "kind": "childLabour", "level": "support",
         "notification": {"source": "hotline111", "receivedAt": treem.timestamp(t0)}}}}

Other bodies: {"initialAssessment": {"assessment": {...}}}, {"needsAssessment": ...},
{"conference": ...}, {"draftPlan": {"plan": {...}}}, {"approvePlan": {"decisionRef": ...}},
{"startPlan": {}}, {"review": {"review": {...}}}, {"followUp": {"followUp": {...}}},
{"close": {"reason": "resolved"}}, {"requestReferral": ...}, ... (see cases.capnp).

Instants are timezone-aware datetimes (naive ones are refused: Vietnam is UTC+7) or int
microseconds since the epoch; inside command dicts a Timestamp is {"micros": "..."}
(treem.timestamp(dt) builds it, and aware datetimes in a dict are converted). The actor is
treem.cases.Actor(user_id, role, unit_code) (or any object with those three attributes,
such as the registry's Actor), a (user_id, role, unit_code) tuple or an Actor dict
{"userId": ..., "role": "communeChair", "unitCode": ...}; roles are treem.cases.Role values,
their ints or their schema names. Outputs (Case, Referral,
DeadlineReport) are plain dicts; 64-bit integers in them (e.g. "micros") are decimal strings.

An illegal transition raises treem.FailedPreconditionError naming the current state and the
allowed ones; a missing role raises treem.PermissionDeniedError.
"""

import ctypes
import enum
import typing
import uuid

from ._native import Buf, declare, lib, status_t
from ._util import NativeHandle, call_json
from .rules import _RWLock, encode, to_micros

_p = ctypes.c_void_p
_i64 = ctypes.c_int64
_i32 = ctypes.c_int32
_cp = ctypes.c_char_p
declare("treem_casebook_new", [ctypes.POINTER(_p)], status_t)
declare("treem_casebook_free", [_p], None)
declare("treem_casebook_apply",
        [_p, _cp, ctypes.c_size_t, _i32, _i64, _cp, _i32, _cp], status_t)
declare("treem_casebook_put_provider", [_p, _cp, ctypes.c_size_t, _i32], status_t)
declare("treem_casebook_open_from_trigger",
        [ctypes.POINTER(_i32), ctypes.POINTER(ctypes.c_int), _p, _cp, ctypes.c_size_t, _i32, _cp,
         ctypes.c_int, _i64, _cp, _i32, _cp], status_t)
declare("treem_casebook_due",
        [ctypes.POINTER(Buf), _p, _cp, ctypes.c_size_t, _i32, _i32], status_t)
declare("treem_casebook_get_case", [ctypes.POINTER(Buf), _p, _cp, _i64, _i32], status_t)
declare("treem_casebook_get_referral", [ctypes.POINTER(Buf), _p, _cp, _i32], status_t)
declare("treem_casebook_supported_in_time",
        [ctypes.POINTER(ctypes.c_int), _p, _cp, _i64], status_t)

_FORMAT_JSON = 3


class Role(enum.IntEnum):
    """Access roles (common.capnp Role)."""
    UNKNOWN = 0
    COMMUNE_WORKER = 1
    COMMUNE_CHAIR = 2
    PROVINCE_OFFICER = 3
    ANALYST = 4
    INSPECTOR = 5
    AUDITOR = 6
    SYSTEM = 7


_ROLE_NAMES = {"unknown": Role.UNKNOWN, "communeWorker": Role.COMMUNE_WORKER,
               "communeChair": Role.COMMUNE_CHAIR, "provinceOfficer": Role.PROVINCE_OFFICER,
               "analyst": Role.ANALYST, "inspector": Role.INSPECTOR, "auditor": Role.AUDITOR,
               "system": Role.SYSTEM}


class Actor(typing.NamedTuple):
    """Who runs a command: a login or staff id (never a child's data), a role, a unit code."""
    user_id: str
    role: Role
    unit_code: str


def _role(value):
    if isinstance(value, str):
        if value in _ROLE_NAMES:
            return _ROLE_NAMES[value]
        try:
            return Role[value.upper()]
        except KeyError:
            raise ValueError(f"actor.role: unknown role {value!r}") from None
    return Role(value)


def _actor(actor):
    if isinstance(actor, dict):
        actor = (actor.get("userId", ""), actor.get("role", Role.UNKNOWN),
                 actor.get("unitCode", ""))
    elif not isinstance(actor, tuple) and all(
            hasattr(actor, a) for a in ("user_id", "role", "unit_code")):
        actor = (actor.user_id, actor.role, actor.unit_code)  # e.g. treem.registry.Actor
    if not isinstance(actor, tuple) or len(actor) != 3:
        raise TypeError("actor: expected treem.cases.Actor(user_id, role, unit_code), an "
                        "object with those attributes, a 3-tuple or an Actor dict")
    user_id, role, unit = actor
    if not isinstance(user_id, str) or not isinstance(unit, str):
        raise TypeError("actor: user_id and unit_code must be text")
    return user_id.encode(), int(_role(role)), unit.encode()


def _id(value, name):
    if isinstance(value, uuid.UUID):
        return str(value).encode()
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"{name}: expected a UUID or its text, got {type(value).__name__}")


def timestamp(at):
    """A Timestamp dict {"micros": "..."} for command dicts, from an aware datetime or int."""
    return {"micros": str(to_micros(at))}


class OpeningMode(enum.IntEnum):
    """What the opening policy does with a trigger (treem/c/cases.h)."""
    NONE = 0
    SUGGESTED = 1
    AUTOMATIC = 2


# rules.capnp ClassificationOutcome -> cases.capnp TriggerOutcome (docs/cases.md).
_TRIGGER_OUTCOME = {"notChildLabour": "notChildLabour",
                    "permittedWorkWithViolations": "notChildLabour",
                    "childLabour": "childLabour",
                    "hazardousChildLabour": "hazardousChildLabour",
                    "worstForm": "worstForm", "unknownCode": "none"}


def trigger(child_id, at, unit_code, classification=None, screen=None):
    """A CaseTrigger dict from a classification result (ClassificationResult or ChildVerdict
    dict, or an outcome name) and/or a screen result (RiskResult dict or a level name), with
    the outcome mapping of docs/cases.md (unknownCode -> none; permitted work with violations
    -> notChildLabour)."""
    outcome = "none"
    if classification is not None:
        name = classification
        if isinstance(classification, dict):
            name = (classification["legal"]["outcome"] if "legal" in classification
                    else classification["outcome"])
        if name not in _TRIGGER_OUTCOME:
            raise ValueError(f"classification: unknown outcome {name!r}")
        outcome = _TRIGGER_OUTCOME[name]
    risk = "none"
    if screen is not None:
        risk = screen["level"] if isinstance(screen, dict) else screen
        if risk not in ("none", "low", "medium", "high"):
            raise ValueError(f"screen: unknown risk level {risk!r}")
    return {"childId": str(child_id), "outcome": outcome, "risk": risk,
            "at": timestamp(at), "unitCode": unit_code}


class CaseBook(NativeHandle):
    """An in-memory case book (treem_casebook). Thread-safe: queries may run concurrently;
    commands wait for them and run alone. Usable as a context manager.

        with treem.CaseBook() as book:
            book.apply(open_command, at=t0, actor=("worker-7", "communeWorker", "15865"))
            book.due(at=t0 + timedelta(hours=11), within_hours=2)["items"]
            book.case(case_id, at=t0)["state"]            # 'reported'
    """

    def __init__(self):
        handle = _p()
        lib.treem_casebook_new(ctypes.byref(handle))
        self._own(handle, lib.treem_casebook_free, _RWLock())

    def apply(self, command, at, actor):
        """Applies a CaseCommand dict at instant `at` by `actor`. A refused command changes
        nothing and raises (FailedPreconditionError for an illegal transition)."""
        data = encode(command, "command")
        user, role, unit = _actor(actor)
        micros = to_micros(at)
        with self._lock.write():
            lib.treem_casebook_apply(self._h(), data, len(data), _FORMAT_JSON, micros, user,
                                     role, unit)

    def put_provider(self, provider):
        """Adds or replaces a ServiceProvider dict ({"id", "name", "kind", "unitCode",
        "services": ["reEnrolment", ...], "contact"})."""
        data = encode(provider, "provider")
        with self._lock.write():
            lib.treem_casebook_put_provider(self._h(), data, len(data), _FORMAT_JSON)

    def open_from_trigger(self, trigger_dict, at, actor, case_id=None, confirm=False):
        """Opens a case by the opening policy from a CaseTrigger dict (see treem.trigger()).
        Returns {"mode": OpeningMode, "opened": bool, "caseId": str}; a suggested opening
        happens only with confirm=True. `case_id` defaults to a new random UUID."""
        data = encode(trigger_dict, "trigger")
        case_id = str(case_id or uuid.uuid4())
        user, role, unit = _actor(actor)
        micros = to_micros(at)
        mode = _i32()
        opened = ctypes.c_int()
        with self._lock.write():
            lib.treem_casebook_open_from_trigger(
                ctypes.byref(mode), ctypes.byref(opened), self._h(), data, len(data),
                _FORMAT_JSON, case_id.encode(), 1 if confirm else 0, micros, user, role, unit)
        return {"mode": OpeningMode(mode.value), "opened": bool(opened.value),
                "caseId": case_id}

    def due_query(self, query):
        """Runs a DeadlineQuery dict as is; returns the DeadlineReport dict."""
        data = encode(query, "query")
        with self._lock.read():
            return call_json(lib.treem_casebook_due, self._h(), data, len(data), _FORMAT_JSON)

    def due(self, at, within_hours=48, unit_codes=None, case_id=None, include_overdue=True,
            include_due_soon=True, include_later=False, limit=0):
        """"What is due" at instant `at`: the DeadlineReport dict, items oldest first, each
        with caseId, kind, dueAt, status ("overdue", "dueSoon", "later"), state and unitCode;
        overdueCount, dueSoonCount and laterCount are complete even when `limit` cuts items."""
        query = {"at": timestamp(at), "dueSoonWithinHours": int(within_hours),
                 "includeOverdue": bool(include_overdue),
                 "includeDueSoon": bool(include_due_soon),
                 "includeLater": bool(include_later), "limit": int(limit)}
        if unit_codes:
            query["unitCodes"] = list(unit_codes)
        if case_id is not None:
            query["caseId"] = str(case_id)
        return self.due_query(query)

    def case(self, case_id, at):
        """The Case dict (state, history, deadlines, forms; inTime evaluated at `at`);
        NotFoundError when unknown."""
        micros = to_micros(at)
        with self._lock.read():
            return call_json(lib.treem_casebook_get_case, self._h(), _id(case_id, "case_id"),
                             micros)

    def referral(self, referral_id):
        """The Referral dict; NotFoundError when unknown."""
        with self._lock.read():
            return call_json(lib.treem_casebook_get_referral, self._h(),
                             _id(referral_id, "referral_id"))

    def supported_in_time(self, case_id, at):
        """Indicator P2 for one case at `at`: no legal deadline met late or missed and none
        overdue."""
        out = ctypes.c_int()
        micros = to_micros(at)
        with self._lock.read():
            lib.treem_casebook_supported_in_time(ctypes.byref(out), self._h(),
                                                 _id(case_id, "case_id"), micros)
        return bool(out.value)
