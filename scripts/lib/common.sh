# Shared by scripts/run, scripts/test and bench/run. Source it; do not run it.
# Everything here uses Debian 12 packages only.

HELPDESK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Packages needed to build and run the server.
HELPDESK_BUILD_PACKAGES="g++ cmake ninja-build pkg-config git ca-certificates tzdata
  libboost-dev libboost-system-dev libpqxx-dev nlohmann-json3-dev libspdlog-dev libssl-dev
  libargon2-dev libphonenumber-dev libcld2-dev libgmime-3.0-dev libxml2-dev libhowardhinnant-date-dev postgresql-15 postgresql-client-15"
# Extra packages for the test suite and the benchmarks.
HELPDESK_TEST_PACKAGES="libgtest-dev libgmock-dev libyaml-cpp-dev curl libpython3.11-testsuite"
HELPDESK_BENCH_PACKAGES="wrk"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# Installs whichever of the named Debian packages are missing.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures and builds one CMake preset (release or asan).
build_preset() {
  local preset=$1
  say "building ($preset)"
  (cd "$HELPDESK_ROOT" && cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" -j"$(nproc)")
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p=${1:-55432}
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

# Runs a PostgreSQL binary as the owner of the cluster: PostgreSQL refuses to
# run as root, so root delegates to the postgres user.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_cluster_start DIR PORT [durable|fast]: initialises DIR/data on first use
# and starts it on 127.0.0.1:PORT with its socket in DIR.
pg_cluster_start() {
  local dir=$1 port=$2 mode=${3:-durable}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U helpdesk --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  # HELPDESK_PG_SHARED_BUFFERS: bench/run sizes it as production would
  # (docs/operations.md, "PostgreSQL settings for reports").
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300"
  opts="$opts -c shared_buffers=${HELPDESK_PG_SHARED_BUFFERS:-256MB}"
  [ "$mode" = fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Full ingest writes about 30 MB of WAL a second. With the default
  # max_wal_size (1GB) a checkpoint would start every 15-20 s, and while one
  # runs, every commit's WAL flush queues behind its writes (email p99 70 ms
  # instead of 35). See docs/operations.md, "PostgreSQL settings for ingest".
  [ "$mode" = durable ] && opts="$opts -c max_wal_size=8GB -c checkpoint_timeout=15min"
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start -o "$opts" >/dev/null ||
    { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
}

pg_cluster_stop() {
  local dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_create_db() {
  local port=$1 name=$2
  psql -h 127.0.0.1 -p "$port" -U helpdesk -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$port" -U helpdesk -d postgres -qc "CREATE DATABASE \"$name\""
}

# A directory the postgres user can reach: a checkout under /root is not
# traversable by it, so root keeps clusters under /var/tmp.
state_dir_for_checkout() {
  if [ "$(id -u)" -eq 0 ]; then
    echo "/var/tmp/helpdesk-$(printf '%s' "$HELPDESK_ROOT" | sha256sum | cut -c1-12)"
  else
    echo "$HELPDESK_ROOT/var"
  fi
}
