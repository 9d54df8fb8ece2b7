#!/usr/bin/env bash
# Create .venv with Python >= 3.11 and install the project (editable, with dev tools).
# Works on a fresh Debian/Ubuntu machine: installs python3-venv with apt when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

PY=$(find_python) || { echo "error: Python 3.11 or newer is required" >&2; exit 1; }

if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        version=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        apt-get update -qq
        apt-get install -y -qq "python${version}-venv" || apt-get install -y -qq python3-venv
    else
        echo "error: $PY lacks venv/ensurepip; install python3-venv" >&2
        exit 1
    fi
fi

if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
# jupyter-events pulls rfc3987-syntax, which costs seconds on every Jupyter/papermill
# start (stack-notes trap 1); nothing the product uses needs it.
.venv/bin/python -m pip uninstall -y -q rfc3987-syntax 2>/dev/null || true
touch .venv/.installed
echo "installed into .venv ($(.venv/bin/python --version))"
