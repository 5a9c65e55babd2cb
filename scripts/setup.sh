#!/usr/bin/env bash
# scripts/setup.sh - install the Debian 12 packages the kiosk needs to build,
# run and be tested. Idempotent: installs only what is missing.
# When not root and something is missing, prints the exact command and stops.
set -euo pipefail

PKGS=(
  build-essential pkg-config clang libclang-rt-14-dev valgrind
  libncurses-dev libp11-dev libssl-dev libsqlite3-dev libpq-dev libqrencode-dev
  libp11-kit-dev libcups2-dev libcairo2-dev libpango1.0-dev libinih-dev libcmocka-dev
  softhsm2 opensc opencryptoki p11-kit p11-kit-modules gnutls-bin cups-ipp-utils cups-client cups-daemon cups-filters lighttpd dbus
  fonts-wqy-microhei fonts-dejavu-core
  postgresql
  poppler-utils zbar-tools faketime tmux hyperfine sqlite3 openssl python3 procps tzdata
  # installing (issue 18): the package, its man pages and units checked, the
  # units' compositor and terminal, and the screen read back as a person sees it
  git dpkg-dev debhelper lintian fakeroot man-db groff-base systemd cage foot
  xvfb xterm x11-apps netpbm tesseract-ocr tesseract-ocr-chi-sim
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages. Run as root:" >&2
  echo "  apt-get update && $cmd" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
$cmd >/dev/null || $cmd

# lighttpd is only the embedded hall's CRL publication point (scripts/crlweb.sh
# runs a private one): never leave the system's instance serving port 80
if [[ " ${missing[*]} " == *" lighttpd "* ]]; then
  systemctl disable --now lighttpd >/dev/null 2>&1 || true
  service lighttpd stop >/dev/null 2>&1 || true
fi
