#!/bin/bash
# check-session.sh - smoke test of the desktop session; run it through session.sh:
#   scripts/testenv/session.sh scripts/testenv/check-session.sh
# Checks: DBM_TEST_SESSION is set, the X display answers, the default keyring collection can
# store/read/delete an item, a notification reaches org.freedesktop.Notifications (Notify).
# Prints one "ok"/"FAIL" line per check; exit 1 if any failed.
set -uo pipefail
fail=0; ok() { echo "ok   $*"; }; bad() { echo "FAIL $*"; fail=1; }

[ "${DBM_TEST_SESSION:-}" = 1 ] && ok "session: DBM_TEST_SESSION=1 (dir $DBM_TEST_SESSION_DIR)" \
  || { bad "not inside session.sh (DBM_TEST_SESSION unset)"; exit 1; }

g=$(xdotool getdisplaygeometry 2>&1) && ok "display $DISPLAY: $g" || bad "display ${DISPLAY:-unset}: $g"

v="secret-$RANDOM"
if out=$(printf '%s' "$v" | secret-tool store --label="dbm check" service dbm-check user check 2>&1) \
   && [ "$(secret-tool lookup service dbm-check user check 2>&1)" = "$v" ] \
   && secret-tool clear service dbm-check user check 2>&1 \
   && [ -z "$(secret-tool lookup service dbm-check user check 2>/dev/null)" ]; then
  ok "keyring: store/lookup/clear in $(gdbus call --session -d org.freedesktop.secrets -o /org/freedesktop/secrets -m org.freedesktop.Secret.Service.ReadAlias default)"
else bad "keyring: $out"; fi

if out=$(timeout 5 gdbus call --session -d org.freedesktop.Notifications -o /org/freedesktop/Notifications \
           -m org.freedesktop.Notifications.Notify dbm-check 0 "" "dbm check" "body" "[]" "{}" 2000 2>&1); then
  ok "notification (gdbus Notify): id $out"
else bad "notification (gdbus): $out"; fi
if command -v notify-send >/dev/null; then
  out=$(timeout 5 notify-send -a dbm-check "dbm check" "via notify-send" 2>&1) && ok "notification (notify-send)" || bad "notify-send: $out"
fi
srv=$(timeout 5 gdbus call --session -d org.freedesktop.Notifications -o /org/freedesktop/Notifications \
        -m org.freedesktop.Notifications.GetServerInformation 2>&1) && ok "notification server: $srv" || bad "GetServerInformation: $srv"
exit $fail
