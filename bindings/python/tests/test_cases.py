"""Case management through Python: a whole case life, illegal transitions, deadline queries
at chosen instants and opening a case from a classification. Expected due dates follow from
docs/cases.md (Decree 56/2017) and the 2025 calendar (no public holiday in March 2025)."""

import datetime
import uuid

import pytest

import treem

VN = datetime.timezone(datetime.timedelta(hours=7))
CASE = "5d2c6a3e-0b1f-4c7e-9a24-6f1d2e3c4b5a"
CHILD = "0f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0"
UNIT = "15865"
WORKER = treem.cases.Actor("worker-7", treem.cases.Role.COMMUNE_WORKER, UNIT)
CHAIR = treem.cases.Actor("chair-1", "communeChair", UNIT)


def local(y, m, d, h=0, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=VN)


def end_of_day(y, m, d):
    """Working-day deadlines fall due at 23:59:59.999999 local time."""
    return local(y, m, d) + datetime.timedelta(days=1, microseconds=-1)


def micros(dt):
    return str(treem.timestamp(dt)["micros"])


def cmd(body, reason="test step", case_id=CASE):
    return {"caseId": case_id, "reason": reason, "body": body}


def open_body(received, case_id=CASE):
    return {"openCase": {"caseId": case_id, "childId": CHILD, "unitCode": UNIT,
                         "kind": "childLabour", "level": "support",
                         "notification": {"source": "hotline111",
                                          "receivedAt": treem.timestamp(received)}}}


@pytest.fixture
def book():
    with treem.CaseBook() as b:
        yield b


def test_whole_life_from_report_to_closure(book):
    t0 = local(2025, 3, 3, 9)  # Monday 09:00
    book.apply(cmd(open_body(t0), "report from hotline 111"), at=t0, actor=WORKER)
    assert book.case(CASE, at=t0)["state"] == "reported"

    book.apply(cmd({"initialAssessment": {"assessment": {"emergencyNeeded": False,
                                                         "level": "intervention"}}}),
               at=local(2025, 3, 3, 15), actor=WORKER)
    book.apply(cmd({"needsAssessment": {"assessment": {"family": {"concern": "high"}}}}),
               at=local(2025, 3, 4, 9), actor=WORKER)
    book.apply(cmd({"conference": {"conference": {"agreedMeasures": "return to school"}}}),
               at=local(2025, 3, 6, 10), actor=WORKER)  # Thursday

    # Plan due 5 working days after Thursday 6 March: Thursday 13 March, end of the day.
    due = book.due(at=local(2025, 3, 10, 9), within_hours=96)
    assert [(i["kind"], i["status"]) for i in due["items"]] == [("planDraft", "dueSoon")]
    assert due["items"][0]["dueAt"]["micros"] == micros(end_of_day(2025, 3, 13))
    assert due["items"][0]["caseId"] == CASE
    assert book.due(at=local(2025, 3, 10, 9), within_hours=48)["items"] == []

    book.apply(cmd({"draftPlan": {"plan": {"goals": "back to school", "services": [
        {"service": "reEnrolment", "start": datetime.date(2025, 3, 17), "end": "2025-06-30",
         "responsible": "commune child-protection worker"}]}}}),
        at=local(2025, 3, 12, 9), actor=WORKER)
    # Approval due 2 working days after Wednesday 12 March: Friday 14 March.
    due = book.due(at=local(2025, 3, 12, 10), within_hours=72)
    assert [(i["kind"], i["dueAt"]["micros"]) for i in due["items"]] == [
        ("planApproval", micros(end_of_day(2025, 3, 14)))]

    book.apply(cmd({"approvePlan": {"decisionRef": "05/QD-UBND"}}), at=local(2025, 3, 13, 9),
               actor=CHAIR)
    book.apply(cmd({"startPlan": {"note": "sent to the school"}}), at=local(2025, 3, 14, 9),
               actor=WORKER)
    # The review falls due at the end of the plan's last service date.
    due = book.due(at=local(2025, 6, 29, 9), within_hours=48)
    assert [(i["kind"], i["status"]) for i in due["items"]] == [("review", "dueSoon")]
    book.apply(cmd({"review": {"review": {"riskRemains": False, "childStable": True}}}),
               at=local(2025, 6, 30, 9), actor=WORKER)
    for day in (datetime.date(2025, 7, 15), datetime.date(2025, 8, 15)):
        book.apply(cmd({"followUp": {"followUp": {"outOfChildLabour": True, "inSchool": True}}}),
                   at=local(day.year, day.month, day.day, 9), actor=WORKER)
    book.apply(cmd({"close": {"reason": "resolved"}}, "two clean follow-ups"),
               at=local(2025, 8, 20, 9), actor=CHAIR)

    case = book.case(CASE, at=local(2025, 9, 1))
    assert case["state"] == "closed"
    assert case["closure"]["reason"] == "resolved"
    assert case["closure"]["cleanFollowUps"] == 2
    assert case["inTime"] is True
    assert [h["to"] for h in case["history"]] == [
        "reported", "initialAssessed", "needsAssessed", "conferenceHeld", "planDrafted",
        "planApproved", "inProgress", "reviewed", "closed"]
    assert case["history"][-1]["actor"] == {"userId": "chair-1", "role": "communeChair",
                                            "unitCode": UNIT}
    assert all(d["status"] == "met" for d in case["deadlines"] if d["legal"])
    assert book.supported_in_time(CASE, local(2025, 9, 1)) is True
    due = book.due(at=local(2025, 9, 1), include_later=True)
    assert (due["overdueCount"], due["dueSoonCount"], due["laterCount"]) == (0, 0, 0)


def test_illegal_transition_raises_failed_precondition(book):
    t0 = local(2025, 3, 3, 8)
    book.apply(cmd(open_body(t0)), at=t0, actor=WORKER)
    with pytest.raises(treem.FailedPreconditionError) as exc:
        book.apply(cmd({"approvePlan": {"decisionRef": "05"}}), at=t0, actor=CHAIR)
    assert str(exc.value) == ("approvePlan: cannot move the case to 'planApproved' from state "
                              "'reported'; allowed from here: 'forwarded', 'initialAssessed', "
                              "'courtReferral'")
    assert exc.value.code == 9
    assert book.case(CASE, at=t0)["state"] == "reported"  # nothing changed
    with pytest.raises(treem.FailedPreconditionError, match="allowed from here"):
        book.apply(cmd({"startPlan": {}}), at=t0, actor=WORKER)
    # Closing needs the commune PC Chair.
    book.apply(cmd({"initialAssessment": {"assessment": {"noProtectionNeed": True}}}),
               at=t0 + datetime.timedelta(hours=1), actor=WORKER)
    with pytest.raises(treem.PermissionDeniedError, match="communeChair"):
        book.apply(cmd({"close": {"reason": "noProtectionNeed"}}),
                   at=t0 + datetime.timedelta(hours=2), actor=WORKER)
    book.apply(cmd({"close": {"reason": "noProtectionNeed"}}),
               at=t0 + datetime.timedelta(hours=2), actor={"userId": "chair-1",
                                                          "role": "communeChair",
                                                          "unitCode": UNIT})
    assert book.case(CASE, at=t0 + datetime.timedelta(hours=3))["state"] == "closed"


def test_deadline_queries_at_chosen_instants(book):
    t0 = local(2025, 3, 3, 8)  # emergency decision due at 20:00
    book.apply(cmd(open_body(t0)), at=t0, actor=WORKER)
    other = str(uuid.uuid4())
    book.apply(cmd(open_body(local(2025, 3, 3, 12), other), case_id=other),
               at=local(2025, 3, 3, 12), actor=WORKER)  # due at 24:00

    early = book.due(at=local(2025, 3, 3, 9), within_hours=2, include_later=True)
    assert [i["status"] for i in early["items"]] == ["later", "later"]
    assert early["items"][0]["dueAt"]["micros"] == micros(local(2025, 3, 3, 20))
    assert early["items"][1]["dueAt"]["micros"] == micros(local(2025, 3, 4, 0))

    soon = book.due(at=local(2025, 3, 3, 19), within_hours=2)
    assert [(i["caseId"], i["status"]) for i in soon["items"]] == [(CASE, "dueSoon")]
    late = book.due(at=local(2025, 3, 3, 21), within_hours=4)
    assert [(i["caseId"], i["status"]) for i in late["items"]] == [
        (CASE, "overdue"), (other, "dueSoon")]
    assert (late["overdueCount"], late["dueSoonCount"]) == (1, 1)
    assert book.supported_in_time(CASE, local(2025, 3, 3, 21)) is False
    assert book.supported_in_time(other, local(2025, 3, 3, 21)) is True

    one = book.due(at=local(2025, 3, 3, 21), within_hours=4, case_id=other)
    assert [i["caseId"] for i in one["items"]] == [other]
    limited = book.due(at=local(2025, 3, 3, 21), within_hours=4, limit=1)
    assert len(limited["items"]) == 1 and limited["truncated"] is True
    assert limited["overdueCount"] + limited["dueSoonCount"] == 2
    assert book.due(at=local(2025, 3, 3, 21), unit_codes=["00001"])["items"] == []
    # int microseconds are accepted for instants as well.
    assert book.due(at=int(micros(local(2025, 3, 3, 21))))["overdueCount"] == 1


def test_opening_from_a_classification(book):
    at = local(2025, 3, 3, 8)
    result = treem.classify("2009-01-01", {"observedOn": "2025-03-01", "jobCode": "ART147-1-e",
                                           "hoursPerDay": 4, "hoursPerWeek": 20})
    assert result["legal"]["outcome"] == "hazardousChildLabour"
    opened = book.open_from_trigger(treem.trigger(CHILD, at, UNIT, classification=result),
                                    at=at, actor=("system", treem.cases.Role.SYSTEM, UNIT),
                                    case_id=CASE)
    assert opened == {"mode": treem.OpeningMode.AUTOMATIC, "opened": True, "caseId": CASE}
    case = book.case(CASE, at=at)
    assert case["notification"]["source"] == "screening"
    assert (case["level"], case["kind"]) == ("intervention", "childLabour")
    assert case["trigger"]["outcome"] == "hazardousChildLabour"

    # A high-risk screen alone is only a suggestion.
    risk = treem.screen({"school.dropped_out": True, "household.poor": True,
                         "household.craft_or_informal": True, "mobility.migrant": True,
                         "activity.non_family_employer": True})
    assert risk["level"] == "high"
    t = treem.trigger(CHILD, at, UNIT, screen=risk)
    suggested = book.open_from_trigger(t, at=at, actor=WORKER)
    assert suggested["mode"] == treem.OpeningMode.SUGGESTED and not suggested["opened"]
    with pytest.raises(treem.NotFoundError):
        book.case(suggested["caseId"], at=at)
    confirmed = book.open_from_trigger(t, at=at, actor=WORKER, confirm=True)
    assert confirmed["opened"]
    assert book.case(confirmed["caseId"], at=at)["level"] == "support"

    # Permitted work with violations maps to notChildLabour: no case.
    none = book.open_from_trigger(
        treem.trigger(CHILD, at, UNIT, classification="permittedWorkWithViolations"),
        at=at, actor=WORKER, confirm=True)
    assert none["mode"] == treem.OpeningMode.NONE and not none["opened"]


def test_referral_and_providers(book):
    t0 = local(2025, 3, 3, 8)
    book.apply(cmd(open_body(t0)), at=t0, actor=WORKER)
    provider = str(uuid.uuid4())
    book.put_provider({"id": provider, "name": "Trường THCS Hoằng Hóa", "kind": "school",
                       "unitCode": UNIT, "services": ["reEnrolment"]})
    referral = uuid.uuid4()
    book.apply(cmd({"requestReferral": {"referralId": referral, "service": "reEnrolment",
                                        "providerId": provider, "dueBy": "2025-03-31",
                                        "consent": {"given": True, "givenBy": "mother"}}}),
               at=t0 + datetime.timedelta(hours=1), actor=WORKER)
    r = book.referral(referral)
    assert (r["status"], r["dueBy"], r["providerId"]) == ("requested", "2025-03-31", provider)
    with pytest.raises(treem.FailedPreconditionError, match="consent"):
        book.apply(cmd({"requestReferral": {"referralId": str(uuid.uuid4()),
                                            "service": "reEnrolment",
                                            "dueBy": "2025-03-31"}}),
                   at=t0 + datetime.timedelta(hours=2), actor=WORKER)
    with pytest.raises(treem.InvalidArgumentError, match="services"):
        book.put_provider({"id": str(uuid.uuid4()), "name": "no services"})


def test_bad_arguments_raise_clear_errors(book):
    t0 = local(2025, 3, 3, 8)
    with pytest.raises(ValueError, match="naive"):
        book.apply(cmd(open_body(t0)), at=datetime.datetime(2025, 3, 3, 8), actor=WORKER)
    with pytest.raises(TypeError):
        book.apply(cmd(open_body(t0)), at=t0, actor="worker-7")
    with pytest.raises(ValueError, match="role"):
        book.apply(cmd(open_body(t0)), at=t0, actor=("u", "mayor", UNIT))
    with pytest.raises(treem.InvalidArgumentError, match="case_id"):
        book.case("not-a-uuid", at=t0)
    with pytest.raises(treem.NotFoundError, match="no such case"):
        book.case(CASE, at=t0)
    with pytest.raises(treem.NotFoundError):
        book.supported_in_time(CASE, t0)
    with pytest.raises(treem.InvalidArgumentError, match="json input"):
        book.apply({"caseId": "5d2c", "body": {"openCase": {}}}, at=t0, actor=WORKER)


def test_closed_book_refuses_calls():
    b = treem.CaseBook()
    b.close()
    b.close()
    with pytest.raises(ValueError, match="closed"):
        b.due(at=local(2025, 3, 3))


def test_registry_actor_is_accepted(book):
    """Any object with user_id, role and unit_code works as the actor (e.g. treem.Actor)."""
    actor_type = getattr(treem, "Actor", None)
    if actor_type is None:
        pytest.skip("treem.Actor not exported")
    t0 = local(2025, 3, 3, 8)
    book.apply(cmd(open_body(t0)), at=t0, actor=actor_type("worker-9", "communeWorker", UNIT))
    assert book.case(CASE, at=t0)["history"][0]["actor"]["userId"] == "worker-9"
