# Sourced by scripts/app and scripts/test: everything a fresh Debian machine with Python 3.11
# needs, installed once and skipped when already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# Debian packages: apt_need PKG... installs those not yet installed (as root; otherwise it says
# which to install and goes on).
apt_need() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "Installing Debian packages: ${missing[*]}" >&2
        if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
            apt-get update -q >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}" >/dev/null
        fi
    else
        echo "Please install these Debian packages: sudo apt-get install ${missing[*]}" >&2
    fi
}

# Qt's runtime libraries (the PySide6 wheel brings Qt itself, not these).
QT_RUNTIME_PACKAGES=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0)
# A virtual screen for a real window where there is no display.
XVFB_PACKAGES=(xvfb xauth libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0
    libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0)

# PostgreSQL server binaries: the sync tests start a throwaway cluster of their own
# (tests/server/harness.py), so the package's default cluster is not created.
POSTGRES_PACKAGES=(postgresql)
apt_need_postgres() {
    if [ "$(id -u)" -eq 0 ] && ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null \
            | grep -q "ok installed"; then
        mkdir -p /etc/postgresql-common
        [ -f /etc/postgresql-common/createcluster.conf ] \
            || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    fi
    apt_need "${POSTGRES_PACKAGES[@]}"
}

ensure_venv() {
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Python 3.11 or newer is needed (found: $("$python" --version 2>&1))." >&2
        exit 1
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        "$python" -m venv "$VENV" 2>/dev/null || { apt_need python3-venv; "$python" -m venv "$VENV"; }
    fi
    # Reinstall only when pyproject.toml changed.
    local stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        echo "Installing the project into $VENV ..." >&2
        local log="$VENV/pip-install.log"
        if ! { "$VENV/bin/python" -m pip install -q --upgrade pip \
                && "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"; } >"$log" 2>&1; then
            cat "$log" >&2
            echo "Installing the project failed (log: $log)." >&2
            exit 1
        fi
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}
