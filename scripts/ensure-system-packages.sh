#!/bin/sh
# Makes sure the C libraries Stowage links are installed: GLPK and CBC with
# their headers, and pkg-config (which finds CBC). Installs them with
# apt-get when run as root (or with password-less sudo); otherwise says
# exactly what to install and fails.
set -eu

missing=""
[ -f /usr/include/glpk.h ] || missing="$missing libglpk-dev"
[ -f /usr/include/coin/Cbc_C_Interface.h ] || missing="$missing coinor-libcbc-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
for extra in "$@"; do
    dpkg -s "$extra" >/dev/null 2>&1 || missing="$missing $extra"
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" = 0 ]; then
    apt_get="apt-get"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt_get="sudo apt-get"
else
    echo "Stowage needs the Debian packages:$missing" >&2
    echo "Install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "Installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$apt_get update -qq
# shellcheck disable=SC2086
$apt_get install -y -qq --no-install-recommends $missing >/dev/null
