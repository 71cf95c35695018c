#!/usr/bin/env bash
# Builds the one-folder K-Perf Lab bundle and checks that it is whole:
#
#   bash packaging/build_bundle.sh [DIST_DIR]        (default: dist)
#
# with the Python of .venv (or PYTHON=...), which needs the project and PyInstaller installed
# (`bash scripts/setup.sh test` gives both). The bundle is DIST_DIR/kperf-lab/: copy that folder
# to a PC without Python; its kperf-lab executable opens the window, `kperf-lab demo` runs the
# demo headless, `kperf-lab --selfcheck` checks the bundle. Build on the system it is for:
# Linux builds a Linux bundle, Windows (Git Bash, or the pyinstaller line below) a Windows one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python="$root/.venv/Scripts/python.exe"
"$python" -c "import PyInstaller, kperf_gui" 2>/dev/null \
  || { echo "build_bundle: $python lacks PyInstaller or K-Perf Lab: run bash scripts/setup.sh test first." >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/kperf-bundle.XXXXXX")"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
echo "Building the bundle in $dist/kperf-lab (a few minutes) ..."
( cd "$root" && "$python" -m PyInstaller --noconfirm --log-level WARN --distpath "$dist" \
    --workpath "$work" packaging/kperf-lab.spec ) > "$work/pyinstaller.log" 2>&1 \
  || { tail -n 40 "$work/pyinstaller.log" >&2; echo "build_bundle: PyInstaller failed (its log is above)." >&2; exit 1; }
exe="$dist/kperf-lab/kperf-lab"; [ -x "$exe" ] || exe="$dist/kperf-lab/kperf-lab.exe"
echo "Built in $(( $(date +%s) - start )) s: $(du -sh "$dist/kperf-lab" | cut -f1) in $dist/kperf-lab"
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$exe" --selfcheck
