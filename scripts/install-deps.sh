#!/bin/sh
# Installs the host packages Bulkhead's run and tests need on Debian 12 (bookworm).
# Idempotent: asks apt-get only for packages that are missing; prints what it does.
#
#   scripts/install-deps.sh            install what is missing (needs root)
#   scripts/install-deps.sh --check    only report; exit 1 when something is missing
#
# It also creates the unprivileged system user QEMU runs as when dom0 runs as root
# (BULKHEAD_QEMU_USER, default bulkhead-qemu).
set -eu

QEMU_USER="${BULKHEAD_QEMU_USER:-bulkhead-qemu}"

# package  -> why it is needed
PACKAGES="
qemu-system-x86   qemu-system-x86_64: runs every qube (hal.kvm)
qemu-utils        qemu-img: qcow2 overlays of template volumes
libxen-dev        Xen's xl.cfg parser (libxlutil) and libxenvchan, loaded by hal.xen's tests through JNA
e2fsprogs         mkfs.ext4 -d: builds template and volume images without mounting
busybox-static    the guest's shell, init and tools (template builder)
cpio              packs the guest initramfs (template builder)
python3           extracts the PVH vmlinux from Debian's vmlinuz (template builder)
openjdk-17-jdk-headless  javac, jlink and jmods: the guest's minimal JRE
libc6             copied into the guest next to the JRE
libstdc++6        copied into the guest next to the JRE
libgcc-s1         copied into the guest next to the JRE
zlib1g            copied into the guest next to the JRE
dpkg              dpkg-deb -x: unpacks the guest kernel package without installing it
apt               apt-get download: fetches the guest kernel package
ca-certificates   apt over https mirrors
"

check_only=false
case "${1:-}" in
  --check) check_only=true ;;
  "") ;;
  -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
  *) echo "install-deps: unknown option '$1' (use --check or no option)" >&2; exit 2 ;;
esac

if [ ! -r /etc/debian_version ] || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: this script supports Debian 12 only (no /etc/debian_version or dpkg-query)." >&2
  exit 1
fi

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=""
for pkg in $(printf '%s\n' "$PACKAGES" | awk 'NF {print $1}'); do
  if is_installed "$pkg"; then
    echo "install-deps: ok       $pkg"
  else
    echo "install-deps: missing  $pkg  ($(printf '%s\n' "$PACKAGES" | awk -v p="$pkg" '$1 == p {$1=""; sub(/^ +/, ""); print}'))"
    missing="$missing $pkg"
  fi
done

user_missing=false
if ! getent passwd "$QEMU_USER" >/dev/null 2>&1; then
  user_missing=true
  echo "install-deps: missing  system user $QEMU_USER (QEMU drops to it when dom0 runs as root)"
else
  echo "install-deps: ok       system user $QEMU_USER"
fi

if [ -z "$missing" ] && [ "$user_missing" = false ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
if [ "$check_only" = true ]; then
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: root is needed to install. Run as root:" >&2
  [ -n "$missing" ] && echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  [ "$user_missing" = true ] && echo "  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin $QEMU_USER" >&2
  echo "or: sudo $0" >&2
  exit 1
fi

if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "install-deps: apt-get update"
  apt-get update -q
  echo "install-deps: apt-get install$missing"
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  apt-get install -y -q --no-install-recommends $missing
fi
if [ "$user_missing" = true ]; then
  echo "install-deps: creating system user $QEMU_USER"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$QEMU_USER"
fi
echo "install-deps: done"
