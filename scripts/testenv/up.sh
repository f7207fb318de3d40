#!/bin/bash
# up.sh - THE entry point for tests: bring the whole test environment up (idempotent).
#
# Usage: scripts/testenv/up.sh          (root, or a user with sudo)
# Runs, in order, printing one line per part with the time it took:
#   install-deps.sh            Debian packages + tauri-driver (only what is missing)
#   docker.sh start            a Docker daemon (dockerd started in the background if needed)
#   pg-servers.sh start        PostgreSQL 13..18 on 127.0.0.1:54313..54318 (postgres/postgres)
#   pg-images.sh               local images postgres:13 .. postgres:18
#   storage-servers.sh start   S3 (s3s-fs) on 127.0.0.1:54390 and SSH/SFTP (sshd) on 127.0.0.1:54322
# and writes $STATE/env (KEY=VALUE lines, no quotes; sourceable by sh, easy to parse):
#   DBM_TESTENV_DIR DBM_PG_HOST DBM_PG_USER DBM_PG_PASSWORD DBM_PG_MAJORS (comma separated)
#   DBM_PG<N>_PORT  DBM_PG_IMAGE_REPO (images are $DBM_PG_IMAGE_REPO:<N>)  DBM_DOCKER_SOCKET
#   DBM_PG_TLS_MAJOR DBM_PG_TLS_CA DBM_PG_TLS_ROLE DBM_PG_TLS_PASSWORD (the server with TLS, 18;
#   only when it is among the majors; see pg-servers.sh)
#   DBM_S3_ENDPOINT DBM_S3_REGION DBM_S3_BUCKET DBM_S3_ACCESS_KEY DBM_S3_SECRET_KEY DBM_S3_DATA
#   DBM_S3_PID_FILE DBM_S3_START  DBM_SFTP_HOST DBM_SFTP_PORT DBM_SFTP_USER DBM_SFTP_KEY
#   DBM_SFTP_KNOWN_HOSTS DBM_SFTP_ROOT DBM_SFTP_PID_FILE DBM_SFTP_START (see storage-servers.sh)
# Cold (nothing there yet): a few minutes (+ ~3.5 min to build s3s-fs); warm: about a second.
# Env: DBM_TESTENV_DIR (default /var/tmp/dbm-testenv)  PG_MAJORS (default "13 14 15 16 17 18")
#      PG_PORT_BASE PG_PASSWORD PG_IMAGE_REPO S3_PORT SFTP_PORT (passed on)  VERBOSE=1
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MAJORS=${PG_MAJORS:-13 14 15 16 17 18}
export PG_MAJORS=$MAJORS
lock up

part() {  # name command...
  local name=$1 t0; shift; t0=$(now)
  "$@" || die "$name failed (see the messages above; rerun with VERBOSE=1 for details)"
  printf '[up] %-12s %6ss\n' "$name" "$(elapsed "$t0")"
}
part install-deps "$TESTENV/install-deps.sh"
part docker       "$TESTENV/docker.sh" start
part pg-servers   "$TESTENV/pg-servers.sh" start $MAJORS
part pg-images    "$TESTENV/pg-images.sh" $MAJORS
part storage      "$TESTENV/storage-servers.sh" start

# the environment file tests read
unset PG_TLS_MAJOR PG_TLS_CA PG_TLS_ROLE PG_TLS_PASSWORD   # only what pg-servers.sh wrote
. "$STATE/pg/servers.env"
{
  echo "# written by scripts/testenv/up.sh on $(date -u +%FT%TZ); do not edit"
  echo "DBM_TESTENV_DIR=$STATE"
  echo "DBM_PG_HOST=127.0.0.1"
  echo "DBM_PG_USER=$PGUSER"
  echo "DBM_PG_PASSWORD=$PGPASSWORD"
  echo "DBM_PG_MAJORS=$(echo $MAJORS | tr ' ' ',')"
  for m in $MAJORS; do p="PG${m}_PORT"; echo "DBM_PG${m}_PORT=${!p}"; done
  if [ -n "${PG_TLS_MAJOR:-}" ] && [[ " $MAJORS " == *" $PG_TLS_MAJOR "* ]]; then
    echo "DBM_PG_TLS_MAJOR=$PG_TLS_MAJOR"
    echo "DBM_PG_TLS_CA=$PG_TLS_CA"
    echo "DBM_PG_TLS_ROLE=$PG_TLS_ROLE"
    echo "DBM_PG_TLS_PASSWORD=$PG_TLS_PASSWORD"
  fi
  echo "DBM_PG_IMAGE_REPO=${PG_IMAGE_REPO:-postgres}"
  echo "DBM_DOCKER_SOCKET=/var/run/docker.sock"
  grep '^DBM_' "$STATE/storage.env"   # written by storage-servers.sh
} > "$STATE/env.tmp"
mv "$STATE/env.tmp" "$STATE/env"
chmod a+r "$STATE/env"
