# lib.sh - shared helpers for scripts/testenv/*.sh (sourced, not run).
# Sets STATE (the state/cache dir, ${DBM_TESTENV_DIR:-/var/tmp/dbm-testenv}), TESTENV (this
# directory), SUDO ("" as root, else "sudo"), and defines log/die/now/elapsed/lock.
# shellcheck shell=bash

# shellcheck disable=SC2034  # used by the scripts that source this file
TESTENV=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${DBM_TESTENV_DIR:-/var/tmp/dbm-testenv}
umask 022
export PATH="$PATH:/usr/sbin:/sbin${CARGO_HOME:+:$CARGO_HOME/bin}:${HOME:-/root}/.cargo/bin"

_me=$(basename "$0" .sh)
log() { [ -z "${VERBOSE:-}" ] || echo "[$_me] $*" >&2; }
die() { echo "[$_me] ERROR: $*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
need_sudo() {  # fail clearly when not root and sudo is unusable
  [ -z "$SUDO" ] || command -v sudo >/dev/null || die "not root and sudo is not installed"
}

# the state dir must be traversable by the pgtest user the servers run as
ensure_state() {
  if [ ! -d "$STATE" ]; then
    mkdir -p "$STATE" 2>/dev/null || { need_sudo; $SUDO mkdir -p "$STATE"; $SUDO chown "$(id -u):$(id -g)" "$STATE"; }
  fi
  chmod a+rx "$STATE" 2>/dev/null || true
  mkdir -p "$STATE/locks"
}

# lock NAME: hold an exclusive lock on $STATE/locks/NAME.lock until the script exits (fd 9)
lock() {
  ensure_state
  exec 9>"$STATE/locks/$1.lock"
  flock -w "${2:-900}" 9 || die "timed out waiting for the lock $STATE/locks/$1.lock"
}

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
