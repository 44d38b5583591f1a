#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (Ubuntu).  Put a derive
# wheel beside this file in the autograder zip (python -m pip wheel . -w dist/ in a checkout).
set -euo pipefail
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /opt/derive
/opt/derive/bin/pip install --quiet "$(ls /autograder/source/derive-*.whl)[grade]"
