#!/usr/bin/env bash
# Build the desk bundle: dist/QuayMotCua/ (one folder: QuayMotCua + counter-app + _internal/).
#
#   installer/build.sh            # uses .venv (made by scripts/bootstrap.sh), adds PyInstaller
#   PYTHON=/path/python installer/build.sh   # or another interpreter that has the project
#
# Output: dist/QuayMotCua/, and the version on the last line. Work files go to build/pyinstaller/.
# On Windows run the same spec from a venv: pyinstaller --noconfirm --distpath dist
#   --workpath build\pyinstaller installer\counter-app.spec ; then compile
#   installer\windows\counter-app.iss with Inno Setup 6.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

source "$ROOT/scripts/bootstrap.sh"
apt_need binutils  # PyInstaller reads the libraries' dependencies with objdump
if [ -z "${PYTHON:-}" ]; then
    ensure_venv
    PYTHON="$VENV/bin/python"
fi
# PyInstaller is a build tool (the dev extra), not a runtime dependency.
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "Installing PyInstaller into the build environment ..." >&2
    "$PYTHON" -m pip install -q "pyinstaller>=6.10,<7"
fi

DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" "$ROOT/installer/counter-app.spec"
end=$(date +%s)

BUNDLE="$DIST/QuayMotCua"
version="$("$BUNDLE/counter-app" --version)"
size="$(du -sh "$BUNDLE" | cut -f1)"
echo "Bundle: $BUNDLE ($size, built in $((end - start)) s)"
echo "$version"
