#!/usr/bin/env bash
# Create the NLU's own environment (.venv-nlu/: Rasa 3.6 on Python 3.10) from nlu/requirements.lock.
# Idempotent: does nothing when the environment was built from the same lock (stamp = lock hash).
# Python 3.10 is looked for as: $TAWASUL_PYTHON310, python3.10 on PATH, pyenv's 3.10.x versions.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TAWASUL_NLU_VENV:-$repo/.venv-nlu}"
lock="$repo/nlu/requirements.lock"
stamp="$venv/.stamp-lock"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [[ -x "$venv/bin/rasa" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

is_py310() { [[ -x "$1" ]] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

find_python310() {
  local candidates=()
  [[ -n "${TAWASUL_PYTHON310:-}" ]] && candidates+=("$TAWASUL_PYTHON310")
  command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
  local roots=("${PYENV_ROOT:-}" "$HOME/.pyenv" "/root/.pyenv")
  command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)")
  local root
  for root in "${roots[@]}"; do
    [[ -n "$root" && -d "$root/versions" ]] || continue
    # newest 3.10.x first
    while IFS= read -r dir; do candidates+=("$dir/bin/python"); done \
      < <(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V -r)
  done
  local c
  for c in "${candidates[@]}"; do
    if is_py310 "$c"; then echo "$c"; return 0; fi
  done
  return 1
}

if ! py="$(find_python310)"; then
  cat >&2 <<'MSG'
error: the NLU needs Python 3.10 (Rasa 3.6 does not run on 3.11+), and none was found.
Looked at: $TAWASUL_PYTHON310, python3.10 on PATH, and pyenv's versions/3.10.* (~/.pyenv, pyenv root).
Install one (e.g. `pyenv install 3.10`, or Debian/Ubuntu `apt-get install python3.10-venv`), or set
TAWASUL_PYTHON310=/path/to/python3.10, then run this again.
MSG
  exit 1
fi

echo "nlu: building $venv with $py ($("$py" --version 2>&1)) from nlu/requirements.lock" >&2
if [[ ! -x "$venv/bin/python" ]] || ! is_py310 "$venv/bin/python"; then
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  -r "$lock"
"$venv/bin/python" -c 'import rasa, sklearn; print("nlu: rasa", rasa.__version__)' >&2
echo "$want" > "$stamp"
