#!/bin/bash
# check.sh - quick smoke test of the environment that up.sh built.
#
# Usage: scripts/testenv/check.sh [-v]          (run scripts/testenv/up.sh first)
# Checks: each server answers `SHOW server_version_num` with its major (psql on the host);
# each image postgres:<N> runs `pg_dump --version` of major N; the Docker daemon answers the
# docker CLI; tauri-driver and WebKitWebDriver are installed; inside session.sh the keyring
# stores/reads/deletes an item and a notification is accepted (check-session.sh).
# Quiet on success (one summary line); failures are always printed; -v or VERBOSE=1 lists all.
# Exit 0 if everything passed, 1 otherwise.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ "${1:-}" = -v ] && VERBOSE=1

n=0; fail=0
ok()  { n=$((n + 1)); [ -z "${VERBOSE:-}" ] || echo "ok   $*"; }
bad() { n=$((n + 1)); echo "FAIL $*"; fail=1; }

[ -f "$STATE/env" ] || { echo "FAIL $STATE/env missing: run scripts/testenv/up.sh"; exit 1; }
# shellcheck disable=SC1091
. "$STATE/env"
IFS=, read -r -a MAJORS <<< "$DBM_PG_MAJORS"

s=$(docker version --format 'client {{.Client.Version}} API {{.Client.APIVersion}}, server {{.Server.Version}} API {{.Server.APIVersion}}' 2>&1) \
  && ok "docker: $s" || bad "docker: $s"
command -v tauri-driver >/dev/null && ok "tauri-driver: $(command -v tauri-driver)" || bad "tauri-driver not on PATH"
command -v WebKitWebDriver >/dev/null && ok "WebKitWebDriver: $(command -v WebKitWebDriver)" || bad "WebKitWebDriver not on PATH"

# images, in parallel (docker run takes ~0.5 s each)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for m in "${MAJORS[@]}"; do
  docker run --rm --network none --log-driver none "$DBM_PG_IMAGE_REPO:$m" pg_dump --version >"$tmp/img$m" 2>&1 &
done
wait
for m in "${MAJORS[@]}"; do
  p="DBM_PG${m}_PORT"; port=${!p:-}
  v=$(PGPASSWORD=$DBM_PG_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -h "$DBM_PG_HOST" -p "$port" -U "$DBM_PG_USER" -d postgres \
        -Atc 'SHOW server_version_num' 2>&1)
  if [[ $v =~ ^[0-9]+$ ]] && [ $((v / 10000)) = "$m" ]; then ok "server $m on $DBM_PG_HOST:$port: $v"
  else bad "server $m on $DBM_PG_HOST:${port:-?}: $v"; fi
  v=$(cat "$tmp/img$m")
  if [[ $v =~ ^pg_dump\ \(PostgreSQL\)\ $m\. ]]; then ok "image $DBM_PG_IMAGE_REPO:$m: $v"
  else bad "image $DBM_PG_IMAGE_REPO:$m: $v"; fi
done

if out=$("$TESTENV/session.sh" "$TESTENV/check-session.sh" 2>&1); then
  ok "session: $(echo "$out" | grep -c '^ok') checks"; [ -z "${VERBOSE:-}" ] || echo "$out" | sed 's/^/       /'
else bad "session:"; echo "$out" | sed 's/^/       /'; fi

if [ $fail = 0 ]; then
  echo "check: all $n checks passed (servers ${DBM_PG_MAJORS}, images $DBM_PG_IMAGE_REPO:{${DBM_PG_MAJORS}}, docker, session)"
fi
exit $fail
