#!/usr/bin/env bash
# Lets a user open USB and serial power meters without root (asks for sudo when not root):
#
#   bash instrument-access.sh [USER]        (default: the user who runs it)
#
# 1. installs 70-kperf-lab.rules (beside this script) as /etc/udev/rules.d/70-kperf-lab.rules
#    and reloads udev, so USB-TMC meters (Yokogawa, Tektronix, R&S, Chroma and any other
#    USB-TMC instrument) open for the user at the PC and for members of plugdev;
# 2. adds USER to plugdev and to the serial-port group (dialout, or uucp where that owns the
#    serial ports), for serial meters and USB-serial adapters.
# The groups take effect at the next login; USB meters plugged in already need replugging.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
user="${1:-${SUDO_USER:-$(id -un)}}"
rule="$here/70-kperf-lab.rules"
[ -f "$rule" ] || { echo "instrument-access: $rule is missing; copy the whole linux/ folder." >&2; exit 1; }
id "$user" >/dev/null 2>&1 || { echo "instrument-access: there is no user '$user'." >&2; exit 1; }
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "instrument-access: run this as root (there is no sudo here)." >&2; exit 1; }
  sudo="sudo"
fi
serial_group="dialout"
for dev in /dev/ttyS0 /dev/ttyUSB0 /dev/ttyACM0; do
  if [ -e "$dev" ]; then serial_group="$(stat -c %G "$dev")"; break; fi
done
getent group "$serial_group" >/dev/null || serial_group="dialout"

echo "Installing the udev rule for USB meters: /etc/udev/rules.d/70-kperf-lab.rules"
$sudo install -m 0644 "$rule" /etc/udev/rules.d/70-kperf-lab.rules
getent group plugdev >/dev/null || $sudo groupadd --system plugdev
getent group "$serial_group" >/dev/null || $sudo groupadd --system "$serial_group"
echo "Adding $user to the groups plugdev and $serial_group"
$sudo usermod -a -G "plugdev,$serial_group" "$user"
if command -v udevadm >/dev/null && $sudo udevadm control --reload-rules 2>/dev/null; then
  $sudo udevadm trigger --action=change --subsystem-match=usb --subsystem-match=usbmisc --subsystem-match=tty || true
else
  echo "(udev is not running here: the rule applies from the next start of the PC)"
fi
echo "Done. $user: log out and back in once; unplug and replug a USB meter that is already connected."
