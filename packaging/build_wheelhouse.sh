#!/usr/bin/env bash
# Builds K-Perf Lab's offline wheelhouse (see packaging/README.md):
#   bash packaging/build_wheelhouse.sh OUT_DIR [--platform linux|windows|all] [--python 3.11|3.12|all]
# on a machine that reaches the package index. OUT_DIR then holds every wheel for Linux x86-64
# and Windows x64 (Python 3.11 and 3.12), requirements.lock (exact versions, SHA-256) and the
# install scripts: copy the folder to the lab and run install_offline.sh / install_offline.ps1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "build_wheelhouse: needs Python 3.11 or newer as python3 (or set PYTHON=/path/to/python)." >&2
  exit 2
fi
exec "$python" "$here/wheelhouse.py" "$@"
