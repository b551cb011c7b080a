"""The small register several tests share: one poor household in commune 15928 with three
children (a girl of 12, a boy of 16, a boy of 3 on 2024-12-31), and helpers."""

import threading

import treem

HOUSEHOLDS = ("household_key,commune_code,village,poverty_status,poverty_standard,"
              "poverty_year,residence,craft_village\n"
              "H1,15928,T01,poor,decree07of2021,2024,rural,true\n")
CHILDREN = ("child_key,household_key,full_name,sex,birth_date,birth_date_estimated,ethnicity,"
            "school_status\n"
            "C1,H1,Lê Thị Hoa,female,2012-03-01,false,Kinh,enrolled\n"
            "C2,H1,Lê Văn Nam,male,2008-09-15,false,Kinh,enrolled\n"
            "C3,H1,Lê Văn Út,male,2021-01-01,false,Kinh,never_enrolled\n")
ACTOR = treem.Actor("cb-ldtbxh-01", treem.Role.COMMUNE_WORKER, "15928")


def record_girl_working(reg):
    """Records 15 hours a week of work for the girl of 12 (child labour); returns her id."""
    girl = next(p["id"] for p in reg.list(ACTOR, "person")
                if p["birthDate"]["date"] == "2012-03-01")
    reg.apply({"actor": ACTOR.as_dict(), "source": "api", "payload": {"recordWorkActivity": {
        "id": "0b7d6a52-9c1e-4f5e-8a0d-3a4c2b1e0f01", "childId": girl,
        "observedOn": "2024-05-01", "jobCode": "OTHER", "hoursPerDay": 3,
        "hoursPerWeek": 15}}})
    return girl


def run_threads(work, count=4):
    """Runs `work` in `count` threads at once; returns the exceptions they raised."""
    errors = []

    def guarded():
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
    threads = [threading.Thread(target=guarded) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
