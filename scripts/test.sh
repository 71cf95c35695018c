#!/usr/bin/env bash
# Sets up and runs the whole test suite headless: layering contracts, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export QT_QPA_PLATFORM=offscreen
.venv/bin/lint-imports
.venv/bin/python -m mypy drivers kperf_gui/measure/uncertainty.py
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
