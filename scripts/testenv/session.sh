#!/bin/bash
# session.sh - run a command inside a private, desktop-like session, as the test suite needs.
#
# Usage: scripts/testenv/session.sh CMD [ARG...]     e.g. scripts/testenv/session.sh cargo test
# Returns CMD's exit code (or 1 with an error if the session could not be set up).
#
# It sets up, in this order, and tears down again on exit, failure or signal:
#   - a temp dir ($TMPDIR/dbm-session.XXXXXX) with XDG_RUNTIME_DIR (0700), XDG_DATA_HOME,
#     XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME inside it, so neither the keyring nor the
#     app's own config/data dirs ever touch a real user's files (HOME is left alone: cargo/rustup);
#   - if $DISPLAY is empty (or DBM_SESSION_XVFB=1): Xvfb on a free display
#     (`-displayfd`, -screen 0 1280x800x24 -nolisten tcp), and GDK_BACKEND=x11;
#   - a private D-Bus session bus (dbus-daemon --session on a socket in XDG_RUNTIME_DIR; the same
#     thing dbus-run-session does, but its pid is ours to stop);
#   - gnome-keyring-daemon (secrets component) unlocked with a fixed test password: on the fresh
#     XDG_DATA_HOME it creates the "login" collection, which becomes the "default" alias; the
#     script checks that alias exists and is unlocked, and that an item can be stored, read back
#     and deleted (secret-tool), which is what keyring 3.x `sync-secret-service` needs;
#   - dunst as the org.freedesktop.Notifications server on that bus;
#   - trayer (an XEmbed system tray) when the display is our Xvfb (DBM_SESSION_TRAY=0: none,
#     1: always), so a tray icon is visible and clickable with xdotool.
# Exported to CMD: DBM_TEST_SESSION=1 DBM_TEST_SESSION_DIR DBM_TEST_KEYRING_PASSWORD DISPLAY
#   DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME
#   XDG_STATE_HOME NO_AT_BRIDGE=1 (+ GDK_BACKEND=x11 with our Xvfb, + whatever
#   gnome-keyring-daemon prints, + the variables of $STATE/env written by up.sh, if present).
# Logs of the helpers are in $DBM_TEST_SESSION_DIR (removed at exit; DBM_SESSION_KEEP=1 keeps it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: $0 CMD [ARG...]"
for c in dbus-daemon gdbus gnome-keyring-daemon dunst secret-tool; do
  command -v "$c" >/dev/null || die "$c not found (run scripts/testenv/install-deps.sh)"
done
KEYRING_PW=${DBM_TEST_KEYRING_PASSWORD:-dbm-test-keyring}

T=$(mktemp -d "${TMPDIR:-/tmp}/dbm-session.XXXXXX")
chmod 755 "$T"
PIDS=()      # helpers we started, in start order
CPID=""      # the command
BUSPID=""
WATCHDOG=""  # cleans up if this script is killed with SIGKILL

alive() {  # pid: running (a zombie that no one reaped yet counts as gone)
  [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}
stop_pid() {  # pid: TERM, wait up to 2 s, then KILL
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do alive "$p" || break; sleep 0.05; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  local rc=$? i p
  trap - EXIT INT TERM HUP PIPE
  if [ -n "$WATCHDOG" ]; then
    p=$(pgrep -P "$WATCHDOG" || true); kill -KILL "$WATCHDOG" $p 2>/dev/null || true; wait "$WATCHDOG" 2>/dev/null || true
  fi
  [ -z "$CPID" ] || ! alive "$CPID" || stop_pid "$CPID"
  # services the bus activated on its own (children of our dbus-daemon)
  if [ -n "$BUSPID" ]; then for p in $(pgrep -P "$BUSPID" 2>/dev/null || true); do stop_pid "$p"; done; fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  if [ -n "${DBM_SESSION_KEEP:-}" ]; then echo "[session] kept $T" >&2; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP; trap 'exit 141' PIPE

fail() {  # message, log file
  [ -z "${2:-}" ] || tail -15 "$2" >&2 2>/dev/null || true
  die "$1"
}
wait_for() {  # seconds pid command...: poll every 50 ms until command succeeds; give up when pid dies
  local end=$(( SECONDS + $1 )) pid=$2; shift 2
  while [ "$SECONDS" -le "$end" ]; do
    "$@" >/dev/null 2>&1 && return 0
    [ -z "$pid" ] || alive "$pid" || { "$@" >/dev/null 2>&1; return; }
    sleep 0.05
  done
  return 1
}
has_name() { gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
               -m org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true; }

# --- dirs
mkdir -m 700 "$T/runtime"
mkdir -p "$T/data" "$T/config" "$T/cache" "$T/state"
export XDG_RUNTIME_DIR=$T/runtime XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config \
       XDG_CACHE_HOME=$T/cache XDG_STATE_HOME=$T/state
export DBM_TEST_SESSION=1 DBM_TEST_SESSION_DIR=$T DBM_TEST_KEYRING_PASSWORD=$KEYRING_PW NO_AT_BRIDGE=1
unset DBUS_SESSION_BUS_PID GNOME_KEYRING_CONTROL GNOME_KEYRING_PID

# --- X display
OWN_X=0
if [ -z "${DISPLAY:-}" ] || [ -n "${DBM_SESSION_XVFB:-}" ]; then
  command -v Xvfb >/dev/null || die "Xvfb not found (run scripts/testenv/install-deps.sh)"
  Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$T/display" </dev/null >"$T/xvfb.log" 2>&1 &
  PIDS+=($!)
  wait_for 15 $! grep -q '[0-9]' "$T/display" || fail "Xvfb did not start" "$T/xvfb.log"
  DISPLAY=":$(tr -dc 0-9 < "$T/display")"; export DISPLAY GDK_BACKEND=x11
  unset WAYLAND_DISPLAY XAUTHORITY
  OWN_X=1
fi

# --- D-Bus session bus
dbus-daemon --session --fork --nopidfile --address="unix:dir=$XDG_RUNTIME_DIR" \
  --print-address=5 --print-pid=6 5>"$T/bus.address" 6>"$T/bus.pid" </dev/null >/dev/null 2>"$T/dbus.log" \
  || fail "dbus-daemon did not start" "$T/dbus.log"
BUSPID=$(tr -dc 0-9 < "$T/bus.pid"); PIDS+=("$BUSPID")
DBUS_SESSION_BUS_ADDRESS=$(head -1 "$T/bus.address"); export DBUS_SESSION_BUS_ADDRESS
wait_for 5 "$BUSPID" has_name org.freedesktop.DBus || fail "the session bus does not answer" "$T/dbus.log"

# --- keyring: unlocked with the test password; a fresh data dir gets a "login" collection = default
printf '%s' "$KEYRING_PW" | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$T/keyring.env" 2>"$T/keyring.log" &
PIDS+=($!)
wait_for 10 $! has_name org.freedesktop.secrets || fail "gnome-keyring-daemon did not take org.freedesktop.secrets" "$T/keyring.log"
while IFS= read -r line; do
  case $line in [A-Z_]*=*) export "${line%%=*}=${line#*=}" ;; esac
done < "$T/keyring.env"
coll=$(gdbus call --session -d org.freedesktop.secrets -o /org/freedesktop/secrets \
         -m org.freedesktop.Secret.Service.ReadAlias default 2>&1) || fail "keyring: ReadAlias failed: $coll" "$T/keyring.log"
case $coll in *"'/'"*) fail "keyring: no default collection ($coll)" "$T/keyring.log" ;; esac
locked=$(gdbus call --session -d org.freedesktop.secrets -o /org/freedesktop/secrets/aliases/default \
           -m org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked 2>&1) || true
[ "$locked" = "(<false>,)" ] || fail "keyring: default collection is locked or unreadable ($locked)" "$T/keyring.log"
probe=$(printf x | secret-tool store --label=dbm-probe service dbm-probe user probe 2>&1 \
        && secret-tool lookup service dbm-probe user probe 2>&1 \
        && secret-tool clear service dbm-probe user probe 2>&1) || true
[ "$probe" = x ] || fail "keyring: store/lookup/clear probe failed: $probe" "$T/keyring.log"

# --- notifications
{ dunst </dev/null >"$T/dunst.log" 2>&1 & } 2>/dev/null
PIDS+=($!)
wait_for 10 $! has_name org.freedesktop.Notifications || fail "dunst did not take org.freedesktop.Notifications" "$T/dunst.log"

# --- system tray
tray=${DBM_SESSION_TRAY:-$OWN_X}
if [ "$tray" = 1 ]; then
  command -v trayer >/dev/null || die "trayer not found (run scripts/testenv/install-deps.sh)"
  trayer --edge top --align right --widthtype request --height 24 --transparent false \
    </dev/null >"$T/trayer.log" 2>&1 &
  PIDS+=($!)
fi

# --- the team's environment (ports etc.), if up.sh wrote it
if [ -f "$STATE/env" ]; then set -a; . "$STATE/env"; set +a; fi

log "DISPLAY=$DISPLAY bus=$DBUS_SESSION_BUS_ADDRESS dir=$T"
"$@" <&0 &
CPID=$!
# watchdog: if this script dies without running its EXIT trap (SIGKILL), stop CMD and the helpers
( trap '' INT HUP PIPE; me=$$
  while [ -d "/proc/$me" ]; do sleep 1; done
  kill -TERM "$CPID" 2>/dev/null
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null; done
  sleep 1; [ -n "${DBM_SESSION_KEEP:-}" ] || rm -rf "$T" ) </dev/null >/dev/null 2>&1 &
WATCHDOG=$!
rc=0; wait "$CPID" || rc=$?
CPID=""
exit "$rc"
