#!/usr/bin/env bash
# The gates that run before the tests: ruff's lint rules, ruff's formatting and mypy (settings in pyproject.toml).
# PYTHON picks the interpreter (default: .venv/bin/python when there is one).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .
"$PYTHON" -m mypy
