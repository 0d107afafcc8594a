#!/bin/sh
# Makes sure the C libraries Stowage links are installed: GLPK and CBC with
# their headers, pkg-config (which finds CBC) and binutils (strip, for
# `make install`). With --for-tests, also what the tests of the installed
# library and of the Python package use: cmake, a C++ compiler, and a
# python3 that can make virtualenvs. Installs what is missing with apt-get
# when run as root (or with password-less sudo); otherwise says exactly what
# to install and fails. Further arguments are Debian package names.
set -eu

missing=""
[ -f /usr/include/glpk.h ] || missing="$missing libglpk-dev"
[ -f /usr/include/coin/Cbc_C_Interface.h ] || missing="$missing coinor-libcbc-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v strip >/dev/null 2>&1 || missing="$missing binutils"
if [ "${1:-}" = --for-tests ]; then
    shift
    command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
    command -v c++ >/dev/null 2>&1 || missing="$missing g++"
    command -v readelf >/dev/null 2>&1 || missing="$missing binutils"
    if ! command -v python3 >/dev/null 2>&1; then
        missing="$missing python3 python3-venv"
    elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        missing="$missing python3-venv"
    fi
fi
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
