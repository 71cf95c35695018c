#!/usr/bin/env bash
# Installs K-Perf Lab on a Linux PC with no internet, from a wheelhouse made by
# build_wheelhouse.sh:
#
#   bash install_offline.sh WHEELHOUSE [VENV] [--instrument-access ask|yes|no]
#
# WHEELHOUSE  the folder with wheels/ and requirements.lock
# VENV        where to put the app (default: ~/.local/share/kperf-lab/venv)
# --instrument-access  install the udev rule and join the serial and USB groups so this user
#             can talk to USB and serial meters (needs sudo). "ask" (the default) asks first
#             when run from a terminal; without a terminal nothing is changed.
#
# It makes a Python virtual environment, installs every package from the wheelhouse only
# (--no-index --require-hashes: nothing is fetched, every file must match its SHA-256), runs
# `kperf demo` as a self-check, adds K-Perf Lab to the applications menu and says where the app
# and the sessions folder are.
set -euo pipefail

say() { printf '%s\n' "$*"; }
die() { printf 'install_offline: %s\n' "$*" >&2; exit 1; }

here="$(cd "$(dirname "$0")" && pwd)"
access="ask"
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --instrument-access) [ $# -ge 2 ] || die "--instrument-access needs ask, yes or no."; access="$2"; shift 2 ;;
    --instrument-access=*) access="${1#*=}"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)." ;;
    *) positional+=("$1"); shift ;;
  esac
done
case "$access" in ask|yes|no) ;; *) die "--instrument-access takes ask, yes or no, not '$access'." ;; esac
[ ${#positional[@]} -ge 1 ] && [ ${#positional[@]} -le 2 ] \
  || die "usage: install_offline.sh WHEELHOUSE [VENV] [--instrument-access ask|yes|no]"

wheelhouse="$(cd "${positional[0]}" 2>/dev/null && pwd)" \
  || die "the wheelhouse folder ${positional[0]} does not exist."
venv="${positional[1]:-${XDG_DATA_HOME:-$HOME/.local/share}/kperf-lab/venv}"
lock="$wheelhouse/requirements.lock"
[ -f "$lock" ] && [ -d "$wheelhouse/wheels" ] && [ -f "$wheelhouse/wheelhouse.json" ] \
  || die "$wheelhouse is not a K-Perf Lab wheelhouse (no requirements.lock, wheels/ or wheelhouse.json). Copy the whole folder made by build_wheelhouse.sh."

[ "$(uname -m)" = "x86_64" ] || die "this wheelhouse is for x86-64 PCs; this one is $(uname -m)."

# The Python versions the wheelhouse was built for, newest first.
served="$(grep -o '"linux-3\.[0-9]*"' "$wheelhouse/wheelhouse.json" | tr -d '"' | sed 's/^linux-//' | sort -rV)"
[ -n "$served" ] || die "this wheelhouse has no Linux wheels (it was built with --platform windows)."
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for v in $served; do  # a python3.x that runs (a pyenv shim may exist and not run)
    if "python$v" -c 'import sys' >/dev/null 2>&1; then python="python$v"; break; fi
  done
  [ -n "$python" ] || python="python3"
fi
command -v "$python" >/dev/null || die "no Python found. Install Python $(echo $served | tr ' ' '/') (Debian/Ubuntu: the python3 and python3-venv packages) and run this again."
have="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" \
  || die "$python does not run. Install Python $(echo $served | tr ' ' '/'), or set PYTHON=/path/to/python3.x."
echo "$served" | grep -qx "$have" \
  || die "$python is Python $have; this wheelhouse serves Python $(echo $served | tr '\n' ' ')only. Install one of those, or set PYTHON=/path/to/python3.x."

say "Installing K-Perf Lab from $wheelhouse"
say "  Python $have ($python), into $venv"
if [ -e "$venv" ] && [ ! -x "$venv/bin/python" ]; then
  [ -z "$(ls -A "$venv")" ] || die "$venv exists and is not a virtual environment: give another folder, or remove it."
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv" 2>/tmp/kperf-venv-$$.err || {
    cat /tmp/kperf-venv-$$.err >&2; rm -f /tmp/kperf-venv-$$.err
    rm -rf "$venv"
    die "Python could not make a virtual environment. On Debian/Ubuntu install the python3-venv package (python$have-venv) from the installation media, then run this again."
  }
  rm -f /tmp/kperf-venv-$$.err
fi

# Only the wheelhouse: no index, no pip.conf or PIP_* settings of this machine.
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install --quiet --no-index --find-links "$wheelhouse/wheels" \
  --require-hashes --no-warn-script-location -r "$lock" \
  || die "the packages did not install (pip's message is above). If it names a hash mismatch, the wheelhouse copy is damaged: copy it again."

say "Self-check: kperf demo (a short simulated measurement, under a minute) ..."
check="$(mktemp -d "${TMPDIR:-/tmp}/kperf-selfcheck.XXXXXX")"
if ! "$venv/bin/kperf" demo --out "$check/demo" >"$check/demo.log" 2>&1; then
  cat "$check/demo.log" >&2
  die "the self-check failed: kperf demo did not finish (its output is above; the log stays in $check)."
fi
"$venv/bin/kperf" verify "$check/demo" >"$check/verify.log" 2>&1 \
  || { cat "$check/verify.log" >&2; die "the self-check failed: kperf verify found the demo session changed (log in $check)."; }
result="$(sed -n 's/^Run \(.*\)/\1/p' "$check/demo.log" | head -n 1)"
rm -rf "$check"
say "  kperf demo passed${result:+ (run $result)}; its session verified intact."

# Applications menu entry and icon (this user only).
linux="$wheelhouse/linux"; [ -d "$linux" ] || linux="$here/linux"
menu="$(bash "$linux/add-to-menu.sh" "$venv/bin/kperf-gui" "$venv/share/kperf-lab/resources/icons/kperf.svg")" \
  || { menu=""; say "  (no applications menu entry: see the message above)"; }

# Qt's system libraries for the window (the self-check above needs none of them).
missing=()
if command -v dpkg-query >/dev/null; then
  pkgs="$linux/runtime-packages.txt"
  if [ -f "$pkgs" ]; then
    while read -r pkg; do
      case "$pkg" in ''|'#'*) continue ;; esac
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done < "$pkgs"
  fi
fi

# Instrument access: udev rule for USB-TMC meters, serial and USB groups (asks first).
access_script="$linux/instrument-access.sh"
user="${SUDO_USER:-$(id -un)}"
if [ "$access" = "ask" ]; then
  if [ -t 0 ] && [ -t 1 ]; then
    say ""
    say "USB and serial meters: Linux lets only root open them until a rule says otherwise."
    say "Install the rule for USB-TMC meters (Yokogawa, Hioki, Tektronix, R&S, Chroma) and add"
    read -r -p "$user to the serial-port group? This asks for your sudo password. [y/N] " answer || answer=""
    case "$answer" in [yY]*) access="yes" ;; *) access="no" ;; esac
  else
    access="no"
  fi
fi
access_done=""
if [ "$access" = "yes" ]; then
  if bash "$access_script" "$user"; then access_done=1; else say "  The instrument rule was not installed (see above)."; fi
fi

sessions="$("$venv/bin/python" -c 'from kperf_gui.session.location import documents_dir; print(documents_dir() / "K-Perf Lab")')"
say ""
say "K-Perf Lab is installed."
say "  The app:        $venv/bin/kperf-gui${menu:+   (applications menu: K-Perf Lab)}"
say "  Headless:       $venv/bin/kperf  (kperf demo, kperf run PLAN.toml, kperf resources)"
say "  Sessions go to: $sessions"
if [ -n "$access_done" ]; then
  say "  Meters:         rule installed; log out and back in once, then unplug and replug USB meters."
else
  say "  Meters:         to use USB or serial meters, run once: sudo bash $access_script $user"
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "  The window needs these system packages, missing here: ${missing[*]}"
  say "                  install them from your distribution's media (sudo apt-get install ...)."
fi
