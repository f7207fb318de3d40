#!/bin/bash
# install-deps.sh - install what the test environment needs, only what is missing.
#
# Debian packages (apt-get install --no-install-recommends; `apt-get update` only when something
# must be installed): the Tauri 2 build deps (build-essential pkg-config libssl-dev
# libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev), the desktop
# session used by tests (webkit2gtk-driver xvfb xauth dbus dbus-x11 dunst gnome-keyring trayer
# xdotool imagemagick libsecret-tools libnotify-bin libglib2.0-bin), docker.io (unless a dockerd
# is already installed), openssh-server openssh-client age (storage-servers.sh runs its own sshd
# for SFTP; the system ssh service is not used), and what
# pg-servers.sh / pg-images.sh / check.sh use (debian-archive-keyring python3 curl dpkg-dev
# util-linux passwd ca-certificates openssl; npm, a psql client and pip only if their command is missing).
# Then `cargo install tauri-driver --locked --version '^2'` if tauri-driver is not found (~1 min).
# Warm run (all present): well under 2 s, silent.
#
# Usage: scripts/testenv/install-deps.sh [--app]   (root, or a user with sudo)
#   --app: only what building and running the app needs (cargo xtask run)
# Env:   VERBOSE=1  DBM_SKIP_TAURI_DRIVER=1 (don't install tauri-driver)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
      librsvg2-dev libdbus-1-dev webkit2gtk-driver xvfb xauth dbus dbus-x11 dunst gnome-keyring
      trayer xdotool imagemagick docker.io openssh-server openssh-client age libsecret-tools libnotify-bin libglib2.0-bin
      debian-archive-keyring python3 curl dpkg-dev util-linux passwd ca-certificates openssl)

if [ "${1:-}" = --app ]; then
  PKGS=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
        librsvg2-dev libdbus-1-dev ca-certificates openssh-client)
  APP_ONLY=1; DBM_SKIP_TAURI_DRIVER=1
fi

command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || die "needs a Debian/Ubuntu host (apt-get, dpkg)"

# one dpkg-query for all packages: those not "install ok installed" are missing
declare -A have=()
while read -r p st; do [ "$st" = installed ] && have[${p%%:*}]=1; done \
  < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null || true)
missing=()
for p in "${PKGS[@]}"; do
  # a Docker engine from elsewhere (docker-ce, ...) is fine: don't pull docker.io next to it
  [ "$p" = docker.io ] && command -v dockerd >/dev/null && command -v docker >/dev/null && continue
  [ -n "${have[$p]:-}" ] || missing+=("$p")
done
# commands that may come from elsewhere (nodesource, pyenv, ...): add the Debian package only if absent
command -v npm  >/dev/null || missing+=(npm)
if [ -z "${APP_ONLY:-}" ]; then
  command -v psql >/dev/null || missing+=(postgresql-client)
  python3 -c 'import pip' >/dev/null 2>&1 || missing+=(python3-pip)   # pg-images.sh: pip download
fi

if [ ${#missing[@]} -gt 0 ]; then
  need_sudo
  log "installing: ${missing[*]}"
  out=$(mktemp); trap 'rm -f "$out"' EXIT
  if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           -o Dpkg::Use-Pty=0 "${missing[@]}"; } >"$out" 2>&1; then
    tail -30 "$out" >&2; die "apt-get install failed: ${missing[*]}"
  fi
fi

if [ -z "${DBM_SKIP_TAURI_DRIVER:-}" ] && ! command -v tauri-driver >/dev/null; then
  command -v cargo >/dev/null || die "cargo not found (install Rust with rustup); needed for tauri-driver"
  log "cargo install tauri-driver"
  out=$(mktemp); trap 'rm -f "$out"' EXIT
  if ! cargo install tauri-driver --locked --version '^2' --quiet >"$out" 2>&1; then
    tail -30 "$out" >&2; die "cargo install tauri-driver failed"
  fi
  command -v tauri-driver >/dev/null || die "tauri-driver installed but not on PATH (add ~/.cargo/bin)"
fi
exit 0
