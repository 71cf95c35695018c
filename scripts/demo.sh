#!/usr/bin/env bash
# Sets up K-Perf Lab and runs the built-in demo: the desktop app where there is a display,
# `kperf demo` headless where there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x .venv/bin/kperf-gui ]; then
  exec .venv/bin/kperf-gui --demo
else
  exec .venv/bin/kperf demo "$@"
fi
