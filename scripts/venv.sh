# Sourced by ./run and ./test: make sure .venv exists, with a clear message when it cannot.
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Spaces needs Python 3.11 or newer ($PYTHON not found)." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Spaces needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV"; then
    echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt install python3-venv" >&2
    exit 1
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
fi
