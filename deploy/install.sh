#!/usr/bin/env bash
# Installs EdgeRuntime as a systemd service on a Linux device (run as root).
#
#   sudo deploy/install.sh                     # publish from this checkout (needs the .NET 10 SDK) and install
#   sudo deploy/install.sh --from DIR          # install an already published folder (e.g. from CI or a tarball)
#   sudo deploy/install.sh --jetson            # also install the Jetson GPU device drop-in
#   sudo deploy/install.sh --broker mqtts://fleet.example.com:8883
#   sudo deploy/install.sh --device-id crossing-7   # this device's id, instead of its machine id
#   sudo deploy/install.sh --new-machine-id    # on a device cloned from another's SD-card image: a machine id of its own
#   sudo deploy/install.sh --uninstall         # stop and remove the service and /opt/edge-runtime; keep config and state
#   sudo deploy/install.sh --uninstall --purge # also remove /etc/edge-runtime, /var/lib/edge-runtime and the user
#   deploy/install.sh --print-groups           # the group drop-in this host would get (changes nothing)
#   deploy/install.sh --print-env --broker B --device-id ID   # the site environment file it would write (changes nothing)
#
# It creates the system user edge-runtime, copies the daemon to /opt/edge-runtime, puts the shipped
# configuration in /etc/edge-runtime (keeping files that are already there), installs the unit and starts it.
# Running it again upgrades in place and restarts the service.
#
# Every device needs its own id; by default it is /etc/machine-id. Devices flashed from one SD-card image share that
# file, and two devices with one id take each other's broker connection over (their status says "conflict"). On each
# clone run this script with --new-machine-id (it regenerates /etc/machine-id with systemd-machine-id-setup), or give
# each device an id with --device-id. Better still, empty /etc/machine-id in the image before copying it: systemd then
# makes a new one on each device's first boot.
set -euo pipefail

prefix=/opt/edge-runtime
config_dir=/etc/edge-runtime
unit_dir=/etc/systemd/system
from=""
jetson=false
broker=""
device_id=""
new_machine_id=false
action=install
purge=false

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

# The site environment file with --broker and --device-id applied; other lines of an existing file are kept.
site_environment() {
  local existing="$config_dir/edge-runtime.env"
  if [ -f "$existing" ]; then
    while IFS= read -r line; do
      case "$line" in
        EDGE_Mqtt__Server=*) [ -n "$broker" ] || echo "$line" ;;
        EDGE_DeviceId=*) [ -n "$device_id" ] || echo "$line" ;;
        *) echo "$line" ;;
      esac
    done < "$existing"
  fi
  if [ -n "$broker" ]; then echo "EDGE_Mqtt__Server=$broker"; fi
  if [ -n "$device_id" ]; then echo "EDGE_DeviceId=$device_id"; fi
}

# The id the daemon will use: DeviceId from the site environment, else the machine id, else the host name.
effective_device_id() {
  local configured
  configured=$(site_environment | sed -n 's/^EDGE_DeviceId=//p' | tail -1)
  if [ -n "$configured" ]; then echo "$configured"
  elif [ -s /etc/machine-id ]; then cat /etc/machine-id
  else hostname; fi
}

# The optional groups the daemon uses, as a unit drop-in naming only those this host has: a SupplementaryGroups= entry
# for a missing group would stop systemd from starting the service at all.
groups_drop_in() {
  local present=()
  for group in gpio video render; do
    if getent group "$group" >/dev/null; then present+=("$group"); fi
  done
  echo "# Written by deploy/install.sh: the optional device groups this host has (gpio: GPIO chips; video, render: GPU nodes)."
  echo "[Service]"
  if [ ${#present[@]} -gt 0 ]; then echo "SupplementaryGroups=${present[*]}"; fi
}

uninstall() {
  local purge=$1
  systemctl disable --now edge-runtime.service 2>/dev/null || true
  rm -f "$unit_dir/edge-runtime.service"
  rm -rf "$unit_dir/edge-runtime.service.d"
  systemctl daemon-reload
  systemctl reset-failed edge-runtime.service 2>/dev/null || true
  rm -rf "$prefix"
  if $purge; then
    rm -rf "$config_dir" /var/lib/edge-runtime
    if id edge-runtime >/dev/null 2>&1; then userdel edge-runtime; fi
    echo "Removed the service, $prefix, $config_dir, /var/lib/edge-runtime and the user edge-runtime."
  else
    echo "Removed the service and $prefix; kept $config_dir and /var/lib/edge-runtime (models, results): --purge removes them."
  fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from=${2:?--from needs a folder}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --jetson) jetson=true; shift ;;
    --broker) broker=${2:?--broker needs host:port or mqtts://host:port}; shift 2 ;;
    --device-id) device_id=${2:?--device-id needs an id}; shift 2 ;;
    --new-machine-id) new_machine_id=true; shift ;;
    --print-env) action=print-env; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=true; shift ;;
    --print-groups) action=print-groups; shift ;;
    -h|--help) usage 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage 2 ;;
  esac
done

if [ -n "$device_id" ] && ! [[ "$device_id" =~ ^[A-Za-z0-9._-]{1,128}$ ]]; then
  echo "install.sh: --device-id '$device_id' is not usable as a topic level; allowed: 1-128 of A-Z a-z 0-9 . _ -" >&2; exit 2
fi
if [ "$action" = print-groups ]; then groups_drop_in; exit 0; fi
if [ "$action" = print-env ]; then site_environment; exit 0; fi
if $purge && [ "$action" != uninstall ]; then echo "install.sh: --purge goes with --uninstall" >&2; exit 2; fi
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
command -v systemctl >/dev/null || { echo "install.sh: systemd is required" >&2; exit 1; }
if [ "$action" = uninstall ]; then uninstall "$purge"; exit 0; fi
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "$from" ]; then
  command -v dotnet >/dev/null || { echo "install.sh: no --from folder and no dotnet SDK to publish with" >&2; exit 1; }
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64|arm64) rid=linux-arm64 ;;
    *) echo "install.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
  esac
  from=$(mktemp -d)
  trap 'rm -rf "$from"' EXIT
  echo "Publishing the daemon for $rid ..."
  dotnet publish "$repo/src/EdgeRuntime.Worker/EdgeRuntime.Worker.csproj" -c Release -r "$rid" --self-contained true -o "$from" >/dev/null
fi
[ -x "$from/edge-runtime" ] || { echo "install.sh: $from/edge-runtime not found or not executable" >&2; exit 1; }

if ! id edge-runtime >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /var/lib/edge-runtime --shell /usr/sbin/nologin edge-runtime
fi
for group in gpio video render; do
  if getent group "$group" >/dev/null; then usermod -a -G "$group" edge-runtime; fi
done

echo "Installing to $prefix ..."
systemctl stop edge-runtime.service 2>/dev/null || true
mkdir -p "$prefix"
cp -a "$from/." "$prefix/"
cp "$repo/README.md" "$prefix/README.md" 2>/dev/null || true
chown -R root:root "$prefix"
chmod -R go-w "$prefix"

mkdir -p "$config_dir"
for file in "$repo"/configs/*.json; do
  target="$config_dir/$(basename "$file")"
  [ -e "$target" ] || install -m 0640 -g edge-runtime "$file" "$target"
done
if [ -n "$broker" ] || [ -n "$device_id" ]; then
  environment=$(site_environment)
  printf '%s\n' "$environment" > "$config_dir/edge-runtime.env"
  chmod 0640 "$config_dir/edge-runtime.env"
  chgrp edge-runtime "$config_dir/edge-runtime.env"
fi
if $new_machine_id; then
  # A cloned image carries the original's machine id; systemd makes a new one when the file is missing.
  rm -f /etc/machine-id
  systemd-machine-id-setup >/dev/null
  if [ -e /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then ln -sf /etc/machine-id /var/lib/dbus/machine-id; fi
  echo "New machine id: $(cat /etc/machine-id)"
fi

sed "s#/opt/edge-runtime#$prefix#g" "$repo/deploy/systemd/edge-runtime.service" > "$unit_dir/edge-runtime.service"
mkdir -p "$unit_dir/edge-runtime.service.d"
groups_drop_in > "$unit_dir/edge-runtime.service.d/groups.conf"
if $jetson; then
  cp "$repo/deploy/systemd/edge-runtime.service.d/jetson.conf" "$unit_dir/edge-runtime.service.d/jetson.conf"
fi
systemctl daemon-reload
systemctl enable --now edge-runtime.service
echo "Installed as device $(effective_device_id). Every device needs its own id: on a clone of this SD-card image run"
echo "  sudo deploy/install.sh --new-machine-id   (or --device-id ID); two devices with one id show \"conflict\" in edgectl status."
echo "Follow it with: journalctl -u edge-runtime -f"
echo "Watch its status with:    mosquitto_sub -h <broker> -t 'edge/devices/+/status' -v"
echo "  (its own embedded broker, when no --broker: mosquitto_sub -h 127.0.0.1 -u local -P \"\$(sudo cat /var/lib/edge-runtime/broker/password)\" -t 'edge/devices/+/status' -v)"
echo "Check its health with:    sudo $prefix/edge-runtime health --StateDirectory /var/lib/edge-runtime"
echo "Remove it with:           sudo deploy/install.sh --uninstall"
