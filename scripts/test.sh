#!/usr/bin/env bash
# Sets up and runs the whole test suite headless: layering contracts, types, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export QT_QPA_PLATFORM=offscreen
.venv/bin/lint-imports
.venv/bin/mypy  # what it checks (kperf_gui without ui/, and drivers/) is in pyproject.toml
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
