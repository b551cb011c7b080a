"""Classification of children's work, the child verdict and the at-risk screen (docs/rules.md).

Inputs are plain dicts in the JSON shape of the schema (treem/schema/work.capnp WorkActivity,
rules.capnp requests); outputs are plain dicts in the JSON shape of the results
(ClassificationResult, ChildVerdict, RiskResult, CodeEntry). In that JSON, dates are
"YYYY-MM-DD" text, enums are their schema names ("hazardousChildLabour"), UUIDs are canonical
text and 64-bit integers are decimal strings. datetime.date values (and uuid.UUID) may be
given directly in input dicts.

    >>> import treem
    >>> r = treem.classify({"date": "2010-01-01"},                  # birth date (BirthDate)
    ...                    {"observedOn": "2024-03-10",              # WorkActivity
    ...                     "jobCode": "TT09-A2-06", "hoursPerDay": 4, "hoursPerWeek": 20.5})
    >>> r["legal"]["outcome"], [v["code"] for v in r["legal"]["violations"]]
    ('childLabour', ['EXCESS_HOURS_U15'])

Errors raise treem.InvalidArgumentError (a ValueError) naming the field, e.g. an activity
date before the birth date or a child aged 18 or over.
"""

import ctypes
import datetime
import json
import os
import threading
import uuid

from ._native import Buf, declare, lib, status_t
from ._util import NativeHandle, FORMAT_JSON, call_json, text_arg

_p = ctypes.c_void_p
declare("treem_rules_new", [ctypes.POINTER(_p)], status_t)
declare("treem_rules_free", [_p], None)
declare("treem_rules_load_codes", [_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p],
        status_t)
for _name in ("treem_classify", "treem_judge_child", "treem_screen_risk"):
    declare(_name, [ctypes.POINTER(Buf), _p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int32,
                    ctypes.c_int32], status_t)
declare("treem_describe_code", [ctypes.POINTER(Buf), _p, ctypes.c_char_p, ctypes.c_int32],
        status_t)

_MICROS = 1_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def to_micros(at, name="at"):
    """Microseconds since the epoch of a timezone-aware datetime (or an int, taken as
    microseconds). Naive datetimes are refused: Vietnam local time is UTC+7, so a naive
    value would be ambiguous."""
    if isinstance(at, bool):
        raise TypeError(f"{name}: expected a datetime or int microseconds, got bool")
    if isinstance(at, int):
        return at
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
            raise ValueError(f"{name}: naive datetime; give a timezone (Vietnam is UTC+7)")
        delta = at - _EPOCH
        return (delta.days * 86400 + delta.seconds) * _MICROS + delta.microseconds
    raise TypeError(f"{name}: expected a datetime or int microseconds, "
                    f"got {type(at).__name__}")


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return {"micros": str(to_micros(value))}
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot send a {type(value).__name__} in a request")


def encode(message, name="request"):
    """A request dict as UTF-8 JSON bytes (dates, aware datetimes and UUIDs converted)."""
    if not isinstance(message, dict):
        raise TypeError(f"{name}: expected a dict, got {type(message).__name__}")
    return json.dumps(message, default=_json_default, ensure_ascii=False).encode("utf-8")


def call_request(fn, handle, message, name="request"):
    """Calls f(treem_buf*, handle, bytes, len, in_fmt, out_fmt) with a JSON request."""
    data = encode(message, name)
    return call_json(fn, handle, data, len(data), FORMAT_JSON)


class _RWLock:
    """Many readers or one writer (the C handles' contract)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    def read(self):
        return _Held(self, False)

    def write(self):
        return _Held(self, True)

    def _acquire(self, write):
        with self._cond:
            if write:
                while self._writer or self._readers:
                    self._cond.wait()
                self._writer = True
            else:
                while self._writer:
                    self._cond.wait()
                self._readers += 1

    def _release(self, write):
        with self._cond:
            if write:
                self._writer = False
            else:
                self._readers -= 1
            self._cond.notify_all()


class _Held:
    def __init__(self, lock, write):
        self._lock, self._write = lock, write

    def __enter__(self):
        self._lock._acquire(self._write)

    def __exit__(self, *exc):
        self._lock._release(self._write)


def _birth_date(child):
    """BirthDate JSON from a BirthDate dict, a Person dict (its birthDate), a date or text."""
    if isinstance(child, dict):
        if "birthDate" in child:
            return _birth_date(child["birthDate"])
        if "date" in child:
            return child
        raise ValueError("child: expected a BirthDate dict {'date': ..., 'estimated': ...} "
                         "or a Person dict with 'birthDate'")
    if isinstance(child, (datetime.date, str)):
        return {"date": child}
    raise TypeError(f"child: expected a birth date, got {type(child).__name__}")


_ANSWERS = {True: "yes", False: "no", None: "unknown"}


def _answers(answers):
    if answers is None:
        return []
    if isinstance(answers, dict):
        out = []
        for factor, value in answers.items():
            if isinstance(value, str):
                out.append({"factor": factor, "answer": value})
            elif value in _ANSWERS:
                out.append({"factor": factor, "answer": _ANSWERS[value]})
            else:
                raise ValueError(f"answers[{factor!r}]: expected True, False, None or "
                                 f"'yes'/'no'/'unknown'")
        return out
    return list(answers)


def _outcome(value):
    """A ClassificationOutcome name from a name, a ClassificationResult or a ChildVerdict."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "legal" in value:
            return value["legal"]["outcome"]
        if "outcome" in value:
            return value["outcome"]
    raise TypeError("classification_outcome: expected an outcome name or a result dict")


class Rules(NativeHandle):
    """The rule registry: shipped rule sets, code lists and risk screens, plus the code lists
    you load. Thread-safe: many threads may classify at once; load_codes waits for them.
    Usable as a context manager; close() releases the native handle.

        with treem.Rules() as rules:
            rules.load_codes(pathlib.Path("annex3.csv"))   # code,name_vi,name_en,source[,confidence]
            rules.classify({"date": "2008-01-01"},
                           {"observedOn": "2024-03-10", "jobCode": "TT09-A3-12"})
    """

    def __init__(self):
        handle = _p()
        lib.treem_rules_new(ctypes.byref(handle))
        self._own(handle, lib.treem_rules_free, _RWLock())

    def load_codes(self, csv, what=None):
        """Loads a fuller code list: CSV text (str or bytes) or a path (pathlib.Path or
        os.PathLike) with header code,name_vi,name_en,source and optional confidence
        (C/S/U). All-or-nothing; errors name `what` (default: the file name) and the line."""
        if isinstance(csv, os.PathLike):
            what = what or os.path.basename(os.fspath(csv))
            with open(csv, "rb") as f:
                data = f.read()
        elif isinstance(csv, str):
            data = csv.encode("utf-8")
        elif isinstance(csv, (bytes, bytearray)):
            data = bytes(csv)
        else:
            raise TypeError(f"csv: expected text, bytes or a path, got {type(csv).__name__}")
        name = text_arg(what, "what") if what is not None else None
        with self._lock.write():
            lib.treem_rules_load_codes(self._h(), data, len(data), name)

    def classify_request(self, request):
        """Runs a ClassifyRequest dict as is; returns the ClassificationResult dict."""
        with self._lock.read():
            return call_request(lib.treem_classify, self._h(), request)

    def classify(self, child, activity, rule_set=None, statistical_rule_set=None):
        """Classifies one WorkActivity dict of a child. `child` is the birth date: a BirthDate
        dict {"date": "2010-01-01", "estimated": False}, a Person dict, a datetime.date or
        "YYYY-MM-DD" text. `rule_set` forces a legal rule set ("VN-LC2019", "VN-LC2012");
        by default the one in force on the activity date applies."""
        if not isinstance(activity, dict):
            raise TypeError(f"activity: expected a WorkActivity dict, got "
                            f"{type(activity).__name__}")
        request = {"birthDate": _birth_date(child), "activity": activity}
        if rule_set:
            request["ruleSetId"] = rule_set
        if statistical_rule_set:
            request["statisticalRuleSetId"] = statistical_rule_set
        return self.classify_request(request)

    def judge_child(self, child, activities, period_start, period_end, rule_set=None,
                    statistical_rule_set=None):
        """The child-level verdict (ChildVerdict dict) over the activities dated within
        [period_start, period_end] (dates or "YYYY-MM-DD")."""
        activities = list(activities)
        for i, a in enumerate(activities):
            if not isinstance(a, dict):
                raise TypeError(f"activities[{i}]: expected a WorkActivity dict, got "
                                f"{type(a).__name__}")
        request = {"birthDate": _birth_date(child), "activities": activities,
                   "periodStart": period_start, "periodEnd": period_end}
        if rule_set:
            request["ruleSetId"] = rule_set
        if statistical_rule_set:
            request["statisticalRuleSetId"] = statistical_rule_set
        with self._lock.read():
            return call_request(lib.treem_judge_child, self._h(), request)

    def screen(self, answers=None, classification_outcome=None, statistical_child_labour=False,
               screen_id=None):
        """The at-risk screen (RiskResult dict). `answers` maps factor ids to True (yes),
        False (no) or None (unknown), e.g. {"school.dropped_out": True, "household.poor":
        True}; a list of {"factor": ..., "answer": "yes"} dicts is also accepted.
        `classification_outcome` (an outcome name or a classification result dict) and
        `statistical_child_labour` raise the protection level to intervention when child
        labour was already found."""
        request = {"answers": _answers(answers),
                   "statisticalChildLabour": bool(statistical_child_labour)}
        outcome = _outcome(classification_outcome)
        if outcome:
            request["classificationOutcome"] = outcome
        if screen_id:
            request["screenId"] = screen_id
        with self._lock.read():
            return call_request(lib.treem_screen_risk, self._h(), request)

    def describe_code(self, code):
        """The CodeEntry dict of a job or workplace code; NotFoundError when unknown."""
        with self._lock.read():
            return call_json(lib.treem_describe_code, self._h(), text_arg(code, "code"))


_default = None
_default_lock = threading.Lock()


def default_rules():
    """The process-wide Rules with the shipped data only (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Rules()
        return _default


def classify(child, activity, rule_set=None, statistical_rule_set=None):
    """Classifies one activity with the shipped rules; see Rules.classify.

        treem.classify({"date": "2008-01-01"},
                       {"observedOn": "2024-03-10", "jobCode": "ART147-1-e",
                        "hoursPerDay": 4, "hoursPerWeek": 20})
        # -> {"legal": {"outcome": "hazardousChildLabour", "violations": [...]}, ...}
    """
    return default_rules().classify(child, activity, rule_set, statistical_rule_set)


def judge_child(child, activities, period_start, period_end, rule_set=None,
                statistical_rule_set=None):
    """The child-level verdict with the shipped rules; see Rules.judge_child."""
    return default_rules().judge_child(child, activities, period_start, period_end, rule_set,
                                       statistical_rule_set)


def screen(answers=None, classification_outcome=None, statistical_child_labour=False,
           screen_id=None):
    """The at-risk screen with the shipped configuration; see Rules.screen.

        treem.screen({"school.dropped_out": True, "household.poor": True})
        # -> {"score": 5, "level": "medium", "protectionLevel": "support", ...}
    """
    return default_rules().screen(answers, classification_outcome, statistical_child_labour,
                                  screen_id)


def describe_code(code):
    """The CodeEntry dict of a shipped code; see Rules.describe_code."""
    return default_rules().describe_code(code)
