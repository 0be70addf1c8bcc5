#!/usr/bin/env bash
# Compile the Vietnamese translation of Qt's own dialogs (resources/translations/*.ts -> .qm)
# with the lrelease that PySide6 ships. The .qm files are committed; run this after editing a .ts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LRELEASE="${LRELEASE:-$ROOT/.venv/bin/pyside6-lrelease}"
for ts in "$ROOT"/resources/translations/*.ts; do
    "$LRELEASE" -silent "$ts" -qm "${ts%.ts}.qm"
done
