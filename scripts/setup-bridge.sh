#!/usr/bin/env bash
# Creates .venv-bridge: the pinned, real Megatron Bridge stack that verify/ runs (tests, CI, --verify).
#   bash scripts/setup-bridge.sh [VENV_DIR]     (default .venv-bridge; about 3 GB, a few minutes)
# torch comes first, as the CPU build this machine keeps on disk (pip install torch==2.13.0), so
# nothing downloads CUDA; then the exact closure in verify/requirements.lock without resolving
# (--no-deps). --ignore-requires-python: megatron-bridge/-core declare >=3.12 but run on 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv-bridge}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then "$python" -m venv "$venv"; fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install torch==2.13.0
"${pip[@]}" install --no-deps --ignore-requires-python -r verify/requirements.lock
# A quick import check: prints the versions the verifier will report.
echo '' | "$venv/bin/python" verify/verify.py | head -1
