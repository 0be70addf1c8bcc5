#!/usr/bin/env bash
# Install the built bundle (dist/QuayMotCua) on a Linux desk, with its menu entry and icon.
#
#   sudo installer/linux/install.sh              # for every user: /opt/QuayMotCua
#   installer/linux/install.sh --user            # for this user only: ~/.local/opt/QuayMotCua
#   installer/linux/install.sh [--user] --remove # remove the program (never the data)
#   BUNDLE=/path/QuayMotCua installer/linux/install.sh   # another bundle folder
#
# The station's data stays in each user's ~/.local/share/QuayMotCua: an upgrade (running this
# again with a newer bundle) replaces the program folder only; the program upgrades the
# database itself at its next start, after a backup.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="${BUNDLE:-$ROOT/dist/QuayMotCua}"

scope=system
action=install
for arg in "$@"; do
    case "$arg" in
        --user) scope=user ;;
        --remove) action=remove ;;
        *) echo "Không rõ tùy chọn: $arg (dùng --user, --remove)" >&2; exit 2 ;;
    esac
done

if [ "$scope" = user ]; then
    PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
    APP_DIR="$HOME/.local/opt/QuayMotCua"
    BIN_DIR="$HOME/.local/bin"
else
    if [ "$(id -u)" -ne 0 ]; then
        echo "Cài cho mọi người dùng cần quyền root (sudo), hoặc dùng --user." >&2
        exit 1
    fi
    PREFIX=/usr/local/share
    APP_DIR=/opt/QuayMotCua
    BIN_DIR=/usr/local/bin
fi
DESKTOP_FILE="$PREFIX/applications/counter-app.desktop"
ICONS="$PREFIX/icons/hicolor"

refresh_menus() {
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/applications" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
}

if [ "$action" = remove ]; then
    rm -rf "$APP_DIR"
    rm -f "$DESKTOP_FILE" "$BIN_DIR/counter-app" "$ICONS/scalable/apps/counter-app.svg"
    for size in 16 24 32 48 64 128 256 512; do
        rm -f "$ICONS/${size}x${size}/apps/counter-app.png"
    done
    refresh_menus
    echo "Đã gỡ chương trình khỏi $APP_DIR. Dữ liệu của quầy (~/.local/share/QuayMotCua) vẫn giữ nguyên."
    exit 0
fi

if [ ! -x "$BUNDLE/QuayMotCua" ] || [ ! -x "$BUNDLE/counter-app" ]; then
    echo "Không thấy bản đóng gói ở $BUNDLE: hãy chạy installer/build.sh trước." >&2
    exit 1
fi

# Replace the program folder whole: no stale library of the previous version is left.
mkdir -p "$(dirname "$APP_DIR")"
rm -rf "$APP_DIR.new"
cp -a "$BUNDLE" "$APP_DIR.new"
rm -rf "$APP_DIR"
mv "$APP_DIR.new" "$APP_DIR"

mkdir -p "$BIN_DIR" "$PREFIX/applications" "$ICONS/scalable/apps"
ln -sfn "$APP_DIR/counter-app" "$BIN_DIR/counter-app"
install -m 0644 "$ROOT/resources/icons/counter-app.svg" "$ICONS/scalable/apps/counter-app.svg"
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$ICONS/${size}x${size}/apps"
    install -m 0644 "$ROOT/resources/icons/counter-app-$size.png" \
        "$ICONS/${size}x${size}/apps/counter-app.png"
done
sed -e "s|^Exec=.*|Exec=$APP_DIR/QuayMotCua|" -e "s|^Path=.*|Path=$APP_DIR|" \
    "$HERE/counter-app.desktop" > "$DESKTOP_FILE"
chmod 0644 "$DESKTOP_FILE"
refresh_menus
echo "Đã cài $("$APP_DIR/counter-app" --version) vào $APP_DIR (menu: Văn phòng › Quầy Một Cửa)."
