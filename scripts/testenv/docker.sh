#!/bin/bash
# docker.sh - make sure a Docker daemon is running (or stop the one this script started).
#
# Usage: scripts/testenv/docker.sh [start|stop|status]        (default: start)
#   start : nothing to do if `docker info` works. On a systemd host with a docker unit:
#           `systemctl start docker`. Otherwise starts `dockerd --iptables=false --ip-masq=false`
#           in the background (own session; log $STATE/docker/dockerd.log, pid
#           $STATE/docker/dockerd.pid) and polls `docker info` for up to 60 s. Never starts a
#           second dockerd while one is running (it waits for that one instead).
#   stop  : stops the dockerd that `start` launched (SIGTERM, waits until it is gone); a daemon
#           it did not start (systemd, someone else) is left alone (exit 2). To make one test
#           see "Docker not running" without touching the shared daemon, prefer
#           DOCKER_HOST=unix:///nonexistent.sock for that test.
#   status: prints the state; exit 0 if the daemon answers, 1 if not.
# The daemon here is Debian's docker.io 20.10 (API 1.41); newer clients (e.g. a Docker 28 CLI in
# /usr/local/bin, API 1.50) negotiate down to it. `start` checks that the `docker` on PATH can
# talk to it.
# Env: DBM_TESTENV_DIR (state dir, default /var/tmp/dbm-testenv)  VERBOSE=1
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cmd=${1:-start}
D=$STATE/docker; PIDF=$D/dockerd.pid; LOG=$D/dockerd.log

docker_ok() { timeout 10 docker info >/dev/null 2>&1; }
no_permission() {  # the daemon runs, but this user may not use its socket
  timeout 10 docker info 2>&1 | grep -qi 'permission denied'
}
alive() { [ -n "${1:-}" ] && [ -d "/proc/$1" ] && grep -q dockerd "/proc/$1/comm" 2>/dev/null; }
our_pid() { local p; p=$(cat "$PIDF" 2>/dev/null || true); if alive "$p"; then echo "$p"; fi; }
systemd_docker() {
  [ -d /run/systemd/system ] && systemctl list-unit-files docker.service 2>/dev/null | grep -q '^docker\.service'
}
wait_ready() {  # seconds
  local i
  for ((i = 0; i < $1 * 5; i++)); do
    docker_ok && return 0
    # our daemon died: no point in waiting
    if [ -f "$PIDF" ] && [ -z "$(our_pid)" ] && ! pgrep -x dockerd >/dev/null; then break; fi
    sleep 0.2
  done
  return 1
}
check_client() {  # the docker CLI on PATH must be able to talk to this daemon
  local out
  out=$(docker version --format '{{.Client.Version}} (API {{.Client.APIVersion}}) -> server {{.Server.Version}} (API {{.Server.APIVersion}})' 2>&1) \
    || die "the docker client $(command -v docker) cannot talk to the daemon: $out
(try DOCKER_API_VERSION=1.41 or /usr/bin/docker)"
  log "docker $out"
}

case $cmd in
start)
  command -v docker >/dev/null || die "docker client not found (run install-deps.sh)"
  if docker_ok; then check_client; exit 0; fi
  no_permission && die "the Docker daemon runs but $(id -un) may not use /var/run/docker.sock (add the user to the docker group, then log in again)"
  lock docker
  if docker_ok; then check_client; exit 0; fi
  mkdir -p "$D"
  if systemd_docker; then
    need_sudo; log "systemctl start docker"
    $SUDO systemctl start docker || die "systemctl start docker failed (see: journalctl -u docker)"
    wait_ready 60 || die "docker.service started but \`docker info\` still fails after 60 s"
    check_client; exit 0
  fi
  command -v dockerd >/dev/null || die "dockerd not found (run install-deps.sh)"
  if pgrep -x dockerd >/dev/null; then
    log "a dockerd is already running (pid $(pgrep -x dockerd | tr '\n' ' ')); waiting for it"
    wait_ready 60 || die "a dockerd process is running (pid $(pgrep -x dockerd | tr '\n' ' ')) but \`docker info\` fails after 60 s; not starting another"
    check_client; exit 0
  fi
  need_sudo
  log "starting dockerd (log $LOG)"
  rm -f "$PIDF"
  # own session (setsid): a Ctrl-C on the caller doesn't reach it; fd 9 (our lock) is not inherited
  $SUDO setsid sh -c 'echo $$ > "$1"; exec dockerd --iptables=false --ip-masq=false' sh "$PIDF" \
    >>"$LOG" 2>&1 </dev/null 9>&- &
  if ! wait_ready 60; then
    tail -20 "$LOG" >&2
    die "dockerd did not answer within 60 s (log: $LOG)"
  fi
  check_client
  ;;
stop)
  p=$(our_pid)
  if [ -z "$p" ]; then
    rm -f "$PIDF"
    if docker_ok; then
      echo "[docker] the running Docker daemon was not started by docker.sh; leaving it alone" >&2; exit 2
    fi
    exit 0
  fi
  lock docker
  need_sudo
  $SUDO kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do alive "$p" || break; sleep 0.2; done
  alive "$p" && die "dockerd (pid $p) did not exit within 30 s"
  rm -f "$PIDF"
  log "dockerd stopped"
  ;;
status)
  if docker_ok; then
    p=$(our_pid)
    if [ -n "$p" ]; then who="started by docker.sh (pid $p)"; else who="not started by docker.sh"; fi
    echo "docker: running, $(docker version --format 'server {{.Server.Version}} API {{.Server.APIVersion}}' 2>&1), $who"
  else
    echo "docker: not running"; exit 1
  fi
  ;;
*) die "usage: $0 [start|stop|status]" ;;
esac
