#!/bin/sh
# Makes the virtualenv the Python tests run in (used by `make test`):
#   python-test-env.sh PYTHON VENV WHEELS
# - pytest;
# - the stowage package from python/ (pip install; with STOWAGE_PREFIX set,
#   the wheel bundles the libstowage installed there instead of building one);
# - torch, for the torch front end's tests: a CPU wheel from WHEELS when one
#   fits this Python, else torch from PyPI's CPU index; when neither
#   installs, the torch tests skip and say why.
# The virtualenv is made once and reused; the stowage package is
# reinstalled every time (it is the thing under test).
set -eu
python=${1:-python3}
venv=${2:-.build-python/venv}
wheels=${3:-/opt/wheels}

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
pip="$venv/bin/python -m pip"
$venv/bin/python -c 'import pytest, numpy' 2>/dev/null || $pip install --quiet 'pytest>=7' numpy

if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
    tag=$("$venv/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
    wheel=$(ls "$wheels"/torch-*-"$tag"-"$tag"-*linux*_$(uname -m).whl 2>/dev/null | head -n 1 || true)
    if [ -n "$wheel" ]; then
        echo "python-test-env: installing $wheel"
        $pip install --quiet "$wheel" || echo "python-test-env: $wheel did not install; the torch tests will skip" >&2
    else
        echo "python-test-env: no torch wheel for $tag in $wheels; trying PyPI's CPU index"
        $pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu \
            || echo "python-test-env: torch did not install; the torch tests will skip" >&2
    fi
fi

$pip install --quiet --force-reinstall --no-deps ./python
