#!/usr/bin/env bash
# PrairieLearn external grader entry point.  PrairieLearn mounts the job at /grade:
# the student's files in /grade/student, the question's tests/ in /grade/tests, and it
# reads /grade/results/results.json ("Externally graded questions", grading results).
set -uo pipefail
mkdir -p /grade/results
out=$(mktemp -d)
derive grade /grade/student --student student --reference /grade/tests/reference.md \
    --rubric /grade/tests/rubric.toml -o "$out" --format prairielearn --jobs 2 --quiet 2> "$out/stderr.txt"
rc=$?
if [ -f "$out/prairielearn/student/results.json" ] && [ "$rc" -ne 2 ] && [ "$rc" -ne 4 ]; then
    cp "$out/prairielearn/student/results.json" /grade/results/results.json
else
    python3 - "$out/stderr.txt" <<'PY'
import json, sys
why = open(sys.argv[1]).read().strip() or "derive grade failed"
json.dump({"gradable": False, "message": why, "tests": []}, open("/grade/results/results.json", "w"))
PY
fi
