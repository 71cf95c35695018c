#!/usr/bin/env bash
# Adds K-Perf Lab to this user's applications menu (no root needed):
#
#   bash add-to-menu.sh [EXECUTABLE ICON]
#
# Without arguments it serves the one-folder bundle it sits in (kperf-lab/_internal/linux/):
# the bundle's kperf-lab executable and its icon. install_offline.sh passes the virtual
# environment's kperf-gui and icon instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exe="${1:-$(cd "$here/../.." && pwd)/kperf-lab}"
icon="${2:-$here/../resources/icons/kperf.svg}"
[ -x "$exe" ] || { echo "add-to-menu: $exe is not an executable." >&2; exit 1; }
[ -f "$icon" ] || { echo "add-to-menu: the icon $icon is missing." >&2; exit 1; }
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$data_home/applications" "$data_home/icons/hicolor/scalable/apps"
cp "$icon" "$data_home/icons/hicolor/scalable/apps/kperf-lab.svg"
sed "s|^Exec=.*|Exec=\"$exe\"|" "$here/kperf-lab.desktop" > "$data_home/applications/kperf-lab.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" 2>/dev/null || true
echo "$data_home/applications/kperf-lab.desktop"
