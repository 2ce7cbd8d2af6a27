#!/usr/bin/env bash
# Train nlu/models/ when the model is missing or stale (data, config, component code or lock changed).
# Sets up .venv-nlu first if needed. Extra arguments go to `python -m nlu.train` (e.g. --force).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash nlu/setup_env.sh
py="$repo/.venv/bin/python"
[[ -x "$py" ]] || py="$(command -v python3)"
exec "$py" -m nlu.train "$@"
