#!/usr/bin/env bash
# A commune's year, end to end, with the commune tool (C, on the C API only):
# Hoằng Đức (Thanh Hóa) from 2023 into 2025, across the July 2025 merger into Hoằng Hóa.
#   bash examples/commune/demo.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=${2:-$build/demo}
tool="$build/examples/commune/treem-commune"
shared=${TREEM_SHARED_DIR:-$root/../shared}
units="$shared/data/admin-units"
if [ ! -f "$units/units-before-2025-07-01.csv" ]; then
  echo "demo: the official unit lists are missing at $units" >&2
  echo "      (set TREEM_SHARED_DIR to the folder holding data/admin-units)" >&2
  exit 1
fi
py=$(command -v /usr/bin/python3 || command -v python3)

step() { printf '\n== %s\n' "$*"; }
# Prints the start of a (long, one-line JSON) file and where the rest is.
show() { head -c 1200 "$1"; printf '\n   ... (%s bytes in all: %s)\n' "$(wc -c < "$1")" "$1"; }

rm -rf "$out"
mkdir -p "$out"
step "1. Generate the demo commune (fixed seed): villages, households, children, a year of events"
"$py" "$root/examples/demo/generate_demo.py" --out "$out/data"

step "2. Create the commune register (sổ theo dõi) for Hoằng Đức 15928 and, after the merger, Hoằng Hóa 15865"
"$tool" --units "$units" init "$out/store" --scope 15928,15865

step "3. Import the village survey lists (danh sách hộ gia đình, trẻ em)"
"$tool" --units "$units" --unit 15928 import "$out/store" "$out/data/households.csv" \
  "$out/data/children.csv" --commune 15928

step "4. Record the year: work activities, screenings, cases, referrals, campaigns, trainings, inspections"
"$tool" --units "$units" apply "$out/store" "$out/data/events.jsonl"

step "5. A work activity and its legal classification, with reasons (phân loại lao động trẻ em)"
activity=$(grep -m1 -o '"recordWorkActivity": *{"id": *"[0-9a-f-]*"' "$out/data/events.jsonl" \
  | grep -o '[0-9a-f]\{8\}-[0-9a-f-]*' || true)
if [ -n "$activity" ]; then
  "$tool" --units "$units" --unit 15928 get "$out/store" classification "$activity" \
    > "$out/classification.json"
  show "$out/classification.json"
fi

step "6. What is overdue or due soon at the end of 2024 (việc quá hạn)"
"$tool" --units "$units" --unit 15928 due "$out/store" --at 2024-12-31T23:59 > "$out/due-2024.json"
show "$out/due-2024.json"

step "7. The 2024 report against the commune plan, on the old map (Hoằng Đức)"
"$tool" --units "$units" --unit 15928 report "$out/store" --from 2024-01-01 --to 2024-12-31 \
  --title "Hoằng Đức 2024" --html "$out/report-2024.html" --csv "$out/report-2024.csv" \
  --json "$out/report-2024.json"

step "8. The 2025 report on the new map: Hoằng Đức's records count for Hoằng Hóa 15865"
"$tool" --units "$units" --unit 15865 report "$out/store" --from 2025-01-01 --to 2025-12-31 \
  --title "Hoằng Hóa 2025" --html "$out/report-2025.html" --csv "$out/report-2025.csv" \
  --json "$out/report-2025.json"

step "9. De-identified export for the province (no names, ids, exact birth dates)"
"$tool" --units "$units" --unit 15865 export "$out/store" "$out/export-province.json" \
  --deidentified --json

step "10. Snapshot and journal compaction"
"$tool" --units "$units" checkpoint "$out/store"

printf '\nDone. Open the report in a browser:\n  %s\n  %s\n' "$out/report-2024.html" \
  "$out/report-2025.html"
