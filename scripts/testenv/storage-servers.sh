#!/bin/bash
# storage-servers.sh - the storage servers the tests need: S3 (s3s-fs) and SSH/SFTP (OpenSSH).
#
# Usage: scripts/testenv/storage-servers.sh [start|stop|status] [s3|sftp ...]   (default: start, both)
#   start : set up and start those not running (idempotent: ~0.1 s when both already answer).
#           Also the way to restart a server a test has killed.
#   stop  : stop the servers this script started (SIGTERM, waits until they are gone)
#   status: one line per server; exit 0 if all answer
# Writes $STATE/storage.env (the DBM_S3_* and DBM_SFTP_* lines that up.sh copies into $STATE/env).
#
# S3: s3s-fs 0.14.1 (crate s3s-fs, an S3 API on a directory), installed once with
#   `cargo install s3s-fs@0.14.1 --features binary --locked --root $STATE/tools/s3s-fs`
#   (~3.5 min cold on 2 cores; 0.17 needs rustc 1.96). If such an install is already running (e.g. by hand),
#   it waits for that one instead of starting a second. Runs as the calling user:
#     s3s-fs --host 127.0.0.1 --port 54390 --access-key dbmtest --secret-key dbmtestsecret $STATE/s3/data
#   in its own session (pid $STATE/s3/s3s-fs.pid, log $STATE/s3/s3s-fs.log). Buckets are the
#   top-level folders of $STATE/s3/data; the bucket dbm-test is made on every start. Path-style
#   URLs (http://127.0.0.1:54390/dbm-test/KEY), SigV4, any region. Ready = a signed HEAD of the
#   bucket answers 200.
# SFTP: a separate Debian sshd (openssh-server) as root on 127.0.0.1:54322 with
#   $STATE/ssh/sshd_config: its own ed25519 host key (made once in $STATE/ssh), public keys only
#   (AuthorizedKeysFile $STATE/ssh/authorized_keys), UsePAM no, StrictModes no, AllowUsers dbmsftp,
#   Subsystem sftp internal-sftp, log to $STATE/ssh/sshd.log (pid $STATE/ssh/sshd.pid). The system
#   user dbmsftp (home $STATE/ssh/home, shell /bin/sh, password field "*" so that sshd without PAM
#   does not see a locked account) is created if missing; its home holds an empty `upload` folder.
#   Client key $STATE/ssh/client_key (ed25519, no passphrase, 0600, owned by the calling user) and
#   $STATE/ssh/known_hosts ([127.0.0.1]:54322 and [localhost]:54322 -> the host key). After a
#   (re)start an sftp login is checked; a changed sshd_config is applied with SIGHUP.
# Env: DBM_TESTENV_DIR (default /var/tmp/dbm-testenv)  S3_PORT=54390  SFTP_PORT=54322  VERBOSE=1
set -euo pipefail
. "$(dirname "$0")/lib.sh"

S3FS_VERSION=0.14.1
S3=$STATE/s3; S3_DATA=$STATE/s3/data; S3_PIDF=$STATE/s3/s3s-fs.pid; S3_LOG=$STATE/s3/s3s-fs.log
S3_TOOL=$STATE/tools/s3s-fs; S3_BIN=$STATE/tools/s3s-fs/bin/s3s-fs
S3_PORT=${S3_PORT:-54390}; S3_AK=dbmtest; S3_SK=dbmtestsecret; S3_BUCKET=dbm-test
SSH=$STATE/ssh; SFTP_PIDF=$STATE/ssh/sshd.pid; SFTP_LOG=$STATE/ssh/sshd.log
SFTP_PORT=${SFTP_PORT:-54322}; SFTP_USER=dbmsftp; SFTP_HOME=$STATE/ssh/home; SSHD=/usr/sbin/sshd

cmd=start
case ${1:-} in start|stop|status) cmd=$1; shift ;; -*|help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;; esac
WHICH=("$@"); [ ${#WHICH[@]} -gt 0 ] || WHICH=(s3 sftp)
for w in "${WHICH[@]}"; do case $w in s3|sftp) ;; *) die "unknown server '$w' (s3 or sftp)" ;; esac; done

alive() {  # pid comm: that process runs (a zombie counts as gone)
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] \
    && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}
pid_of() {  # pidfile comm: the pid in the file if that process runs
  local p; p=$(cat "$1" 2>/dev/null || true); if alive "$p" "$2"; then echo "$p"; fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
s3_ok() {  # a signed HEAD of the bucket answers 200 (s3s wants x-amz-content-sha256; curl 7.88 doesn't send it)
  [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' -I --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_AK:$S3_SK" \
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "http://127.0.0.1:$S3_PORT/$S3_BUCKET" 2>/dev/null)" = 200 ]
}
sftp_ok() {  # the port gives an SSH banner
  [ "$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && head -c 4 <&3' _ "$SFTP_PORT" 2>/dev/null)" = SSH- ]
}
stop_pid() {  # pid comm pidfile [sudo]: SIGTERM, wait up to 10 s
  local i
  ${4:-} kill -TERM "$1" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do alive "$1" "$2" || break; sleep 0.1; done
  alive "$1" "$2" && die "$2 (pid $1) did not exit within 10 s"
  ${4:-} rm -f "$3"
}

# --- S3 ---------------------------------------------------------------------------------------
s3_install() {
  local i t0
  [ -x "$S3_BIN" ] && return 0
  # an install into the same root that is already running (by hand, another checkout): wait for it
  for ((i = 0; i < 3600; i++)); do
    pgrep -f -- "cargo install .*s3s-fs.*--root $S3_TOOL( |\$)" >/dev/null || break
    [ $i = 0 ] && log "a cargo install of s3s-fs into $S3_TOOL is running; waiting for it"
    sleep 1
  done
  [ -x "$S3_BIN" ] && return 0
  command -v cargo >/dev/null || die "cargo not found (install Rust with rustup); needed for s3s-fs"
  t0=$(now); log "cargo install s3s-fs@$S3FS_VERSION (a few minutes; log $S3/install.log)"
  # from $STATE: no rust-toolchain.toml / .cargo/config.toml of a checkout applies
  if ! (cd "$STATE" && cargo install "s3s-fs@$S3FS_VERSION" --features binary --locked --root "$S3_TOOL") \
       >"$S3/install.log" 2>&1 9>&-; then
    tail -30 "$S3/install.log" >&2; die "cargo install s3s-fs@$S3FS_VERSION failed (log $S3/install.log)"
  fi
  [ -x "$S3_BIN" ] || die "cargo install s3s-fs succeeded but $S3_BIN is missing"
  log "installed s3s-fs in $(elapsed "$t0") s"
}

s3_start() {
  local p i
  mkdir -p "$S3_DATA/$S3_BUCKET"; chmod a+rx "$S3" "$S3_DATA"
  p=$(pid_of "$S3_PIDF" s3s-fs)
  if [ -n "$p" ]; then
    for ((i = 0; i < 50; i++)); do s3_ok && return 0; sleep 0.1; done   # ours, maybe still starting
    log "s3s-fs (pid $p) does not answer; restarting it"; stop_pid "$p" s3s-fs "$S3_PIDF"
  fi
  port_open "$S3_PORT" && die "127.0.0.1:$S3_PORT is in use by another process (not $S3_BIN started by this script)"
  s3_install
  rm -f "$S3_PIDF"
  # own session (setsid): a Ctrl-C on the caller doesn't reach it; fd 9 (our lock) is not inherited
  RUST_LOG=${RUST_LOG:-info} setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$S3_PIDF" \
    "$S3_BIN" --host 127.0.0.1 --port "$S3_PORT" --access-key "$S3_AK" --secret-key "$S3_SK" "$S3_DATA" \
    >>"$S3_LOG" 2>&1 </dev/null 9>&- &
  for ((i = 0; i < 300; i++)); do
    s3_ok && { log "s3s-fs on 127.0.0.1:$S3_PORT (pid $(cat "$S3_PIDF"))"; return 0; }
    [ $i -gt 5 ] && [ -z "$(pid_of "$S3_PIDF" s3s-fs)" ] && break   # it died
    sleep 0.1
  done
  tail -20 "$S3_LOG" >&2
  die "s3s-fs did not answer on 127.0.0.1:$S3_PORT within 30 s (log $S3_LOG)"
}

s3_stop() {
  local p; p=$(pid_of "$S3_PIDF" s3s-fs)
  if [ -n "$p" ]; then stop_pid "$p" s3s-fs "$S3_PIDF"; log "s3s-fs stopped"; else rm -f "$S3_PIDF"; fi
}

# --- SFTP -------------------------------------------------------------------------------------
put_file() {  # file mode content: (re)write only when different; returns 0 if it changed
  [ -f "$1" ] && [ "$(cat "$1")" = "$3" ] && { [ "$(stat -c %a "$1")" = "$2" ] || chmod "$2" "$1"; return 1; }
  printf '%s\n' "$3" > "$1.tmp"; chmod "$2" "$1.tmp"; mv "$1.tmp" "$1"
}

sftp_setup() {  # keys, known_hosts, config, user, home (cheap when all is there)
  local k pw
  [ -x "$SSHD" ] || die "$SSHD not found (run install-deps.sh: openssh-server)"
  command -v ssh-keygen >/dev/null && command -v sftp >/dev/null || die "ssh-keygen/sftp not found (run install-deps.sh: openssh-client)"
  mkdir -p "$SSH"; chmod 755 "$SSH"
  for k in ssh_host_ed25519_key client_key; do
    if [ ! -s "$SSH/$k" ] || [ ! -s "$SSH/$k.pub" ]; then
      rm -f "$SSH/$k" "$SSH/$k.pub"
      ssh-keygen -q -t ed25519 -N '' -C "dbm-testenv $k" -f "$SSH/$k" >/dev/null || die "ssh-keygen $SSH/$k failed"
      log "made $SSH/$k"
    fi
    [ "$(stat -c %a "$SSH/$k")" = 600 ] || chmod 600 "$SSH/$k"
  done
  put_file "$SSH/authorized_keys" 644 "$(cat "$SSH/client_key.pub")" || true
  k=$(cut -d' ' -f1,2 "$SSH/ssh_host_ed25519_key.pub")
  put_file "$SSH/known_hosts" 644 "[127.0.0.1]:$SFTP_PORT $k
[localhost]:$SFTP_PORT $k" || true
  # The app's SFTP (OpenDAL through the system's ssh) checks host keys strictly against the
  # user's own ~/.ssh/known_hosts (ssh reads it from the passwd home, not $HOME): trust the test
  # server there as [127.0.0.1]:PORT only, so [localhost]:PORT stays unknown for the refusal test.
  local user_hosts
  user_hosts="$(getent passwd "$(id -u)" | cut -d: -f6)/.ssh/known_hosts"
  mkdir -p "$(dirname "$user_hosts")"; chmod 700 "$(dirname "$user_hosts")"
  sed -i "/^\[127\.0\.0\.1\]:$SFTP_PORT /d" "$user_hosts" 2>/dev/null || true
  echo "[127.0.0.1]:$SFTP_PORT $k" >> "$user_hosts"
  SFTP_CONF_CHANGED=0
  put_file "$SSH/sshd_config" 644 "# written by scripts/testenv/storage-servers.sh; do not edit
ListenAddress 127.0.0.1
Port $SFTP_PORT
HostKey $SSH/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile $SSH/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $SFTP_USER
UsePAM no
StrictModes no
PrintMotd no
X11Forwarding no
AllowAgentForwarding no
LogLevel VERBOSE
Subsystem sftp internal-sftp" && SFTP_CONF_CHANGED=1
  # the user; sshd without PAM refuses a locked account (password field "!..."), "*" is fine
  if ! getent passwd "$SFTP_USER" >/dev/null; then
    need_sudo
    $SUDO useradd --system --home-dir "$SFTP_HOME" --no-create-home --shell /bin/sh "$SFTP_USER" \
      || die "cannot create the user $SFTP_USER"
    log "created the user $SFTP_USER"
  fi
  [ "$(getent passwd "$SFTP_USER" | cut -d: -f6)" = "$SFTP_HOME" ] || $SUDO usermod -d "$SFTP_HOME" "$SFTP_USER"
  [ "$(getent passwd "$SFTP_USER" | cut -d: -f7)" = /bin/sh ] || $SUDO usermod -s /bin/sh "$SFTP_USER"
  pw=$($SUDO getent shadow "$SFTP_USER" | cut -d: -f2)
  [ "${pw:0:1}" != '!' ] || $SUDO usermod -p '*' "$SFTP_USER"
  if [ ! -d "$SFTP_HOME/upload" ] || [ "$(stat -c %U "$SFTP_HOME" "$SFTP_HOME/upload" | sort -u)" != "$SFTP_USER" ]; then
    $SUDO mkdir -p "$SFTP_HOME/upload"
    $SUDO chown "$SFTP_USER:" "$SFTP_HOME" "$SFTP_HOME/upload"
    $SUDO chmod 755 "$SFTP_HOME" "$SFTP_HOME/upload"
  fi
  # privilege separation directory, normally made by systemd
  [ -d /run/sshd ] || { $SUDO mkdir -p /run/sshd; $SUDO chmod 755 /run/sshd; }
}

sftp_login_ok() {  # a real sftp session with the client key and strict host key checking
  printf 'pwd\n' | timeout 20 sftp -q -b - -i "$SSH/client_key" -o BatchMode=yes -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$SSH/known_hosts" -o StrictHostKeyChecking=yes -P "$SFTP_PORT" \
    "$SFTP_USER@127.0.0.1" 2>&1 | grep -q "^Remote working directory: $SFTP_HOME\$"
}

sftp_start() {
  local p i
  sftp_setup
  p=$(pid_of "$SFTP_PIDF" sshd)
  if [ -n "$p" ] && [ $SFTP_CONF_CHANGED = 1 ]; then
    $SUDO "$SSHD" -t -f "$SSH/sshd_config" || die "$SSH/sshd_config is not valid"
    log "sshd_config changed: SIGHUP to sshd (pid $p)"; $SUDO kill -HUP "$p"; sleep 0.3
  fi
  if [ -n "$p" ]; then
    for ((i = 0; i < 50; i++)); do sftp_ok && return 0; sleep 0.1; done
    log "sshd (pid $p) does not answer; restarting it"; stop_pid "$p" sshd "$SFTP_PIDF" "$SUDO"
  fi
  port_open "$SFTP_PORT" && die "127.0.0.1:$SFTP_PORT is in use by another process (not the sshd started by this script)"
  need_sudo
  $SUDO "$SSHD" -t -f "$SSH/sshd_config" || die "$SSH/sshd_config is not valid"
  $SUDO rm -f "$SFTP_PIDF"
  # -D: stay in the foreground (our pid), -e: log to stderr (the log file)
  $SUDO setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$SFTP_PIDF" "$SSHD" -D -e -f "$SSH/sshd_config" \
    >>"$SFTP_LOG" 2>&1 </dev/null 9>&- &
  for ((i = 0; i < 100; i++)); do
    sftp_ok && break
    [ $i -gt 5 ] && [ -z "$(pid_of "$SFTP_PIDF" sshd)" ] && break   # it died
    sleep 0.1
  done
  sftp_ok || { tail -20 "$SFTP_LOG" >&2; die "sshd did not answer on 127.0.0.1:$SFTP_PORT within 10 s (log $SFTP_LOG)"; }
  sftp_login_ok || { tail -20 "$SFTP_LOG" >&2; die "sshd runs, but an sftp login as $SFTP_USER with $SSH/client_key fails (log $SFTP_LOG)"; }
  log "sshd on 127.0.0.1:$SFTP_PORT (pid $(cat "$SFTP_PIDF"))"
}

sftp_stop() {
  local p; p=$(pid_of "$SFTP_PIDF" sshd)
  if [ -n "$p" ]; then need_sudo; stop_pid "$p" sshd "$SFTP_PIDF" "$SUDO"; log "sshd stopped"; else $SUDO rm -f "$SFTP_PIDF"; fi
}

write_env() {
  { echo "DBM_S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
    echo "DBM_S3_REGION=us-east-1"
    echo "DBM_S3_BUCKET=$S3_BUCKET"
    echo "DBM_S3_ACCESS_KEY=$S3_AK"
    echo "DBM_S3_SECRET_KEY=$S3_SK"
    echo "DBM_S3_DATA=$S3_DATA"
    echo "DBM_S3_PID_FILE=$S3_PIDF"
    echo "DBM_S3_START=$TESTENV/storage-servers.sh"
    echo "DBM_SFTP_HOST=127.0.0.1"
    echo "DBM_SFTP_PORT=$SFTP_PORT"
    echo "DBM_SFTP_USER=$SFTP_USER"
    echo "DBM_SFTP_KEY=$SSH/client_key"
    echo "DBM_SFTP_KNOWN_HOSTS=$SSH/known_hosts"
    echo "DBM_SFTP_ROOT=$SFTP_HOME"
    echo "DBM_SFTP_PID_FILE=$SFTP_PIDF"
    echo "DBM_SFTP_START=$TESTENV/storage-servers.sh"
  } > "$STATE/storage.env.tmp"
  mv "$STATE/storage.env.tmp" "$STATE/storage.env"; chmod a+r "$STATE/storage.env"
}

up() {  # server: running and answering
  case $1 in
    s3)   [ -n "$(pid_of "$S3_PIDF" s3s-fs)" ] && s3_ok ;;
    sftp) [ -n "$(pid_of "$SFTP_PIDF" sshd)" ] && sftp_ok ;;
  esac
}

case $cmd in
status)
  rc=0
  for w in "${WHICH[@]}"; do
    case $w in
      s3)   if up s3; then echo "s3: s3s-fs running on 127.0.0.1:$S3_PORT (pid $(cat "$S3_PIDF")), data $S3_DATA"
            else echo "s3: not running"; rc=1; fi ;;
      sftp) if up sftp; then echo "sftp: sshd running on 127.0.0.1:$SFTP_PORT (pid $(cat "$SFTP_PIDF")), user $SFTP_USER, root $SFTP_HOME"
            else echo "sftp: not running"; rc=1; fi ;;
    esac
  done
  exit $rc ;;
start)
  lock storage 3600   # a cold s3s-fs install takes minutes
  mkdir -p "$S3" "$STATE/tools"
  for w in "${WHICH[@]}"; do "${w}_start"; done
  write_env ;;
stop)
  lock storage 3600
  for w in "${WHICH[@]}"; do "${w}_stop"; done ;;
esac
