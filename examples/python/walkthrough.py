#!/usr/bin/env python3
"""The commune's year in Python: the same story as examples/commune/demo.sh, through the
Python bindings (treem, ctypes over libtreem).

    PYTHONPATH=bindings/python python3 examples/python/walkthrough.py OUT_DIR [SHARED_DIR]

Writes OUT_DIR/store (the register) and OUT_DIR/report-2024.json / .html, and prints the
2024 indicators against the commune plan.
"""

import json
import pathlib
import subprocess
import sys

import treem

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKER = treem.Actor("cb-ldtbxh-01", treem.Role.COMMUNE_WORKER, "15928")


def run(out, shared):
    out = pathlib.Path(out)
    units_dir = pathlib.Path(shared) / "data" / "admin-units"
    data = out / "data"
    # 1. The demo commune, generated with a fixed seed.
    subprocess.run([sys.executable, str(ROOT / "examples/demo/generate_demo.py"), "--out",
                    str(data)], check=True, stdout=subprocess.DEVNULL)
    with treem.AdminUnits(str(units_dir)) as units:
        # 2. The register of Hoằng Đức (15928), which became part of Hoằng Hóa (15865).
        with treem.Registry(str(out / "store"), create=True, scope=["15928", "15865"],
                            units=units) as reg:
            # 3. The village survey lists, all or nothing.
            seq, report = reg.import_csv(WORKER, data / "households.csv",
                                         data / "children.csv", commune_code="15928")
            print(f"imported {report['childrenImported']} children, "
                  f"{report['householdsImported']} households (command {seq})")
            # 4. The year's events: every line is one Command in the schema's JSON form.
            n = 0
            with open(data / "events.jsonl", encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        reg.apply(line)
                        n += 1
            print(f"applied {n} commands")
            # 5. A work activity and its classification, with the legal reasons.
            first = next(json.loads(l)["payload"]["recordWorkActivity"]
                         for l in open(data / "events.jsonl", encoding="utf-8")
                         if "recordWorkActivity" in l)
            c = reg.get(WORKER, "classification", first["id"])
            legal = c["result"]["legal"]
            print("first activity:", legal["outcome"],
                  [v["code"] for v in legal.get("violations", []) if v.get("status") == "fired"])
            # 6. The 2024 report against the commune plan.
            report = reg.report(WORKER, units, start="2024-01-01", end="2024-12-31",
                                plan="hoang-duc-2023", dimensions=["sex", "statBand"],
                                title="Hoằng Đức 2024")
    (out / "report-2024.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    (out / "report-2024.html").write_text(treem.render(report, "html"), encoding="utf-8")
    for ind, v in sorted(treem.reports.values(report, "15928").items()):
        if ind.startswith("P"):
            value = v.get("value")
            shown = f"{value:.1f}" if isinstance(value, (int, float)) else "-"
            print(f"{ind:12} {v.get('numerator', 0):>6} / {v.get('denominator', 0):<6} "
                  f"= {shown:>6}  target {v.get('target', '-')}  {v.get('targetStatus', '')}")
    return report


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shared_dir = sys.argv[2] if len(sys.argv) > 2 else str(ROOT.parent / "shared")
    run(sys.argv[1], shared_dir)
