#!/bin/bash
# check.sh - quick smoke test of the environment that up.sh built.
#
# Usage: scripts/testenv/check.sh [-v]          (run scripts/testenv/up.sh first)
# Checks: each server answers `SHOW server_version_num` with its major (psql on the host);
# each image postgres:<N> runs `pg_dump --version` of major N; the Docker daemon answers the
# docker CLI; TLS on server $DBM_PG_TLS_MAJOR (18): sslmode=require works (postgres and tls_only),
# sslmode=disable works for postgres and is rejected by pg_hba for tls_only, verify-ca and
# verify-full (host=localhost and host=127.0.0.1) against $DBM_PG_TLS_CA work, and sslmode=require
# to 17 fails with "server does not support SSL"; tauri-driver and WebKitWebDriver are installed;
# S3 (s3s-fs): a signed PUT / GET / DELETE round trip in $DBM_S3_BUCKET (the object shows up under
# $DBM_S3_DATA) and a wrong secret key gets 403; SFTP: put / get / rm in upload/ with
# $DBM_SFTP_KEY and StrictHostKeyChecking=yes against $DBM_SFTP_KNOWN_HOSTS (the file shows up
# under $DBM_SFTP_ROOT); inside session.sh the keyring
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

# TLS (server $DBM_PG_TLS_MAJOR has ssl=on and the role tls_only that must use TLS; the others ssl=off)
tls=""
pgc() {  # user password conninfo... : psql with only what is given (no PG* from the caller)
  local u=$1 pw=$2; shift 2
  env -u PGSSLMODE -u PGSSLROOTCERT -u PGHOST -u PGHOSTADDR -u PGSERVICE PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 \
    psql -X -Atc "SELECT CASE WHEN ssl THEN 't ' || version ELSE 'f' END FROM pg_stat_ssl WHERE pid = pg_backend_pid()" \
      "dbname=postgres user=$u $*" 2>&1
}
if [ -n "${DBM_PG_TLS_MAJOR:-}" ]; then
  tm=$DBM_PG_TLS_MAJOR; p="DBM_PG${tm}_PORT"; tp=${!p:-}; ca=${DBM_PG_TLS_CA:-}; tu=${DBM_PG_TLS_ROLE:-}; tpw=${DBM_PG_TLS_PASSWORD:-}
  [ -r "$ca" ] && ok "tls: CA $ca: $(openssl x509 -noout -subject -enddate -in "$ca" 2>&1 | tr '\n' ' ')" \
    || bad "tls: DBM_PG_TLS_CA=$ca is not readable"
  tchk() {  # what expect(ok|reject|nossl) user password conninfo...
    local what=$1 want=$2 out; shift 2
    out=$(pgc "$@")
    case $want in
      ok)     [[ $out == t\ TLS* ]] && ok "tls: $what: $out" || bad "tls: $what: $out" ;;
      plain)  [ "$out" = f ] && ok "tls: $what: no TLS, works" || bad "tls: $what: $out" ;;
      reject) [[ $out == *"pg_hba.conf rejects connection"* ]] && ok "tls: $what: rejected: $out" || bad "tls: $what: $out" ;;
      nossl)  [[ $out == *"server does not support SSL"* ]] && ok "tls: $what: refused: $out" || bad "tls: $what: $out" ;;
    esac
  }
  h="host=$DBM_PG_HOST port=$tp"
  tchk "$tm sslmode=require as $DBM_PG_USER" ok "$DBM_PG_USER" "$DBM_PG_PASSWORD" "$h sslmode=require"
  tchk "$tm sslmode=disable as $DBM_PG_USER" plain "$DBM_PG_USER" "$DBM_PG_PASSWORD" "$h sslmode=disable"
  tchk "$tm sslmode=require as $tu" ok "$tu" "$tpw" "$h sslmode=require"
  tchk "$tm sslmode=disable as $tu" reject "$tu" "$tpw" "$h sslmode=disable"
  tchk "$tm sslmode=verify-ca host=127.0.0.1" ok "$tu" "$tpw" "$h sslmode=verify-ca sslrootcert=$ca"
  tchk "$tm sslmode=verify-full host=localhost" ok "$tu" "$tpw" "host=localhost port=$tp sslmode=verify-full sslrootcert=$ca"
  tchk "$tm sslmode=verify-full host=127.0.0.1" ok "$DBM_PG_USER" "$DBM_PG_PASSWORD" "$h sslmode=verify-full sslrootcert=$ca"
  # a server without TLS: 17, or another one that is not the TLS server
  nm=""; for m in "${MAJORS[@]}"; do [ "$m" = "$tm" ] || nm=$m; [ "$m" = 17 ] && break; done
  if [ -n "$nm" ]; then p="DBM_PG${nm}_PORT"
    tchk "$nm sslmode=require (ssl=off)" nossl "$DBM_PG_USER" "$DBM_PG_PASSWORD" "host=$DBM_PG_HOST port=${!p:-} sslmode=require"
  fi
  tls=", tls on $tm"
elif [[ ",$DBM_PG_MAJORS," == *,18,* ]]; then
  bad "tls: DBM_PG_TLS_MAJOR missing from $STATE/env (rerun scripts/testenv/up.sh)"
fi

# storage servers (storage-servers.sh)
if [ -n "${DBM_S3_ENDPOINT:-}" ]; then
  key="dbm-check-$$.txt"; url="$DBM_S3_ENDPOINT/$DBM_S3_BUCKET/$key"
  s3c() { curl -s -m 10 --aws-sigv4 "aws:amz:${DBM_S3_REGION:-us-east-1}:s3" --user "$DBM_S3_ACCESS_KEY:$DBM_S3_SECRET_KEY" \
                -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"; }
  echo "dbm check $$" > "$tmp/s3in"
  c=$(s3c -o /dev/null -w '%{http_code}' -T "$tmp/s3in" "$url" 2>&1)
  if [ "$c" = 200 ] && cmp -s "$tmp/s3in" "$DBM_S3_DATA/$DBM_S3_BUCKET/$key" \
     && [ "$(s3c -o "$tmp/s3out" -w '%{http_code}' "$url" 2>&1)" = 200 ] && cmp -s "$tmp/s3in" "$tmp/s3out"; then
    ok "s3: PUT/GET $url (on disk $DBM_S3_DATA/$DBM_S3_BUCKET/$key)"
  else bad "s3: PUT/GET $url: PUT gave ${c:-nothing}"; fi
  c=$(s3c -o /dev/null -w '%{http_code}' -X DELETE "$url" 2>&1)
  [ "$c" = 204 ] && [ ! -e "$DBM_S3_DATA/$DBM_S3_BUCKET/$key" ] && ok "s3: DELETE $key" || bad "s3: DELETE $key: $c"
  # s3s-fs 0.14 leaves the object's .bucket-<b64>.object-<b64>.*.json files behind on DELETE
  b64() { printf %s "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
  rm -f "$DBM_S3_DATA/.bucket-$(b64 "$DBM_S3_BUCKET").object-$(b64 "$key")."*.json
  c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" --user "$DBM_S3_ACCESS_KEY:wrong" \
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$url" 2>&1)
  [ "$c" = 403 ] && ok "s3: wrong secret key: 403" || bad "s3: wrong secret key: $c (expected 403)"
else bad "s3: DBM_S3_ENDPOINT missing from $STATE/env (rerun scripts/testenv/up.sh)"; fi
if [ -n "${DBM_SFTP_PORT:-}" ]; then
  f="check-$$.txt"; echo "dbm check $$" > "$tmp/sftpin"
  out=$(printf 'put %s upload/%s\nget upload/%s %s\nrm upload/%s\n' "$tmp/sftpin" "$f" "$f" "$tmp/sftpout" "$f" |
        timeout 30 sftp -q -b - -i "$DBM_SFTP_KEY" -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
          -o UserKnownHostsFile="$DBM_SFTP_KNOWN_HOSTS" -P "$DBM_SFTP_PORT" "$DBM_SFTP_USER@$DBM_SFTP_HOST" 2>&1)
  if cmp -s "$tmp/sftpin" "$tmp/sftpout" && [ ! -e "$DBM_SFTP_ROOT/upload/$f" ]; then
    ok "sftp: put/get/rm upload/$f as $DBM_SFTP_USER@$DBM_SFTP_HOST:$DBM_SFTP_PORT"
  else bad "sftp: put/get/rm as $DBM_SFTP_USER@$DBM_SFTP_HOST:$DBM_SFTP_PORT: $out"; fi
else bad "sftp: DBM_SFTP_PORT missing from $STATE/env (rerun scripts/testenv/up.sh)"; fi

if out=$("$TESTENV/session.sh" "$TESTENV/check-session.sh" 2>&1); then
  ok "session: $(echo "$out" | grep -c '^ok') checks"; [ -z "${VERBOSE:-}" ] || echo "$out" | sed 's/^/       /'
else bad "session:"; echo "$out" | sed 's/^/       /'; fi

if [ $fail = 0 ]; then
  echo "check: all $n checks passed (servers ${DBM_PG_MAJORS}$tls, images $DBM_PG_IMAGE_REPO:{${DBM_PG_MAJORS}}, docker, s3, sftp, session)"
fi
exit $fail
