#!/usr/bin/env bash
# Re-extract the messages to translate (babel.cfg says where), merge them into each
# catalogue and compile the shipped .mo files. New messages then show as untranslated (or
# fuzzy, when Babel guessed from a similar message) in the .po files: translate them, clear
# the fuzzy flags, and run this again. Needs Babel, which the package installs.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=searchapp/translations
pybabel -q extract -F babel.cfg -k lazy_gettext -k N_ --project searchapp \
    -o "$dir/messages.pot" .
pybabel -q update -i "$dir/messages.pot" -d "$dir"
pybabel compile -d "$dir" --statistics
# What is left to do, per catalogue.
for po in "$dir"/*/LC_MESSAGES/messages.po; do
  python3 - "$po" <<'PY'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as f:
    catalog = read_po(f)
messages = [m for m in catalog if m.id]
fuzzy = sum(m.fuzzy for m in messages)
untranslated = sum(not m.string or (isinstance(m.string, tuple) and not all(m.string))
                   for m in messages)
print(f"{sys.argv[1]}: {len(messages)} messages, {untranslated} untranslated, {fuzzy} fuzzy")
PY
done
