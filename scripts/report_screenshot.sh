#!/bin/sh
# Regenerate docs/report-example.png: a realistic chart report (8 medications, a major and a moderate
# finding, one name not recognised) rendered by headless Chromium. Run from the repository root.
set -eu
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SOURCE_DATE_EPOCH=1796205600 check-meds --format html --patient "MRN 004217" --age 74 --fail-on none \
  "Lisinopril 20 mg daily" "Amlodipine 5 mg" "Metformin 500 mg BID" "Atorvastatin 40 mg" \
  "Oxycodone 5 mg PRN" "Gabapentin 300 mg TID" "Ibuprofen 400 mg PRN" "Levothyroxin 75 mcg" > "$out/report.html" \
  || [ $? -eq 4 ]  # incomplete on purpose: one name is misspelt
"$CHROMIUM" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$out/profile" \
  --proxy-server=127.0.0.1:9 --screenshot="$PWD/docs/report-example.png" --window-size=1000,1400 "file://$out/report.html" 2>/dev/null
