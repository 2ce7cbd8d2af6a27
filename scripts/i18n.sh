#!/usr/bin/env bash
# Extract user-facing messages from bot/ into bot/locale/tawasul.pot and merge them into the
# ar/en/ur/id catalogues. New messages arrive untranslated (tests/test_i18n.py then fails until
# they are translated); fuzzy matching is off so that a guess never reaches a beneficiary.
#
#   scripts/i18n.sh            # extract + update every language
#   scripts/i18n.sh ar ur      # extract + update only these
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
LOCALE_DIR=bot/locale
POT="$LOCALE_DIR/tawasul.pot"
LANGS=("${@:-ar en ur id}")
read -r -a LANGS <<<"${LANGS[*]}"

"$PYBABEL" extract -F babel.cfg -o "$POT" \
  -k t -k nt:1,2 -k N_ \
  --add-location=file --sort-output --no-wrap \
  --project=tawasul --version=0.1 --copyright-holder="Tawasul" \
  --msgid-bugs-address="" \
  bot

for lang in "${LANGS[@]}"; do
  po="$LOCALE_DIR/$lang/LC_MESSAGES/tawasul.po"
  if [[ -f "$po" ]]; then
    "$PYBABEL" update -i "$POT" -d "$LOCALE_DIR" -D tawasul -l "$lang" \
      --no-fuzzy-matching --ignore-obsolete --no-wrap
  else
    "$PYBABEL" init -i "$POT" -d "$LOCALE_DIR" -D tawasul -l "$lang" --no-wrap
  fi
done
