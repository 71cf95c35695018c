#!/usr/bin/env bash
# Installs what K-Perf Lab needs on Debian: the system libraries Qt loads
# (packaging/linux/runtime-packages.txt) and the tools the tests use (scripts/system-packages.txt),
# only those missing; a virtual environment in .venv; and the package with the extras given as
# "$1" (e.g. "test").
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for pkg in $(cat scripts/system-packages.txt packaging/linux/runtime-packages.txt | sed 's/#.*//'); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
extra="${1:-}"
if [ -n "$extra" ]; then .venv/bin/python -m pip install -q -e ".[$extra]"; else .venv/bin/python -m pip install -q -e .; fi
