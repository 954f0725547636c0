#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests and benchmarks: its own data directory and port,
# run as an unprivileged user, removed on stop. Installs the server from Debian packages when it is missing.
#
#   source scripts/postgres.sh
#   apes_pg_start        # exports APES_TEST_POSTGRES (an admin connection string)
#   apes_pg_stop
set -euo pipefail

APES_PG_PORT="${APES_PG_PORT:-55432}"

apes_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$dir" && -x "$dir/pg_ctl" ]] && echo "$dir"
}

apes_pg_install() {
  if [[ -n "$(apes_pg_bindir)" ]]; then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "PostgreSQL is not installed and this is not root: run 'sudo apt-get install postgresql'." >&2
    return 1
  fi
  echo "Installing PostgreSQL from Debian packages..."
  # Our server is started by hand below; the package need not create and start its own cluster.
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  [[ -n "$(apes_pg_bindir)" ]]
}

apes_pg_start() {
  apes_pg_install
  local bin owner
  bin=$(apes_pg_bindir)
  APES_PG_DIR=$(mktemp -d /tmp/apes-pg.XXXXXX)
  owner=$(id -un)
  if [[ $(id -u) -eq 0 ]]; then
    # PostgreSQL refuses to run as root.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    owner=postgres
    chown "$owner" "$APES_PG_DIR"
  fi
  local as=(); [[ $(id -u) -eq 0 ]] && as=(runuser -u "$owner" --)
  "${as[@]}" "$bin/initdb" -D "$APES_PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$APES_PG_DIR/initdb.log" 2>&1 \
    || { cat "$APES_PG_DIR/initdb.log" >&2; return 1; }
  # Durability is traded for speed: this server lives for one test run.
  "${as[@]}" "$bin/pg_ctl" -D "$APES_PG_DIR/data" -l "$APES_PG_DIR/server.log" -w -t 60 \
    -o "-p $APES_PG_PORT -k $APES_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$APES_PG_DIR/server.log" >&2; return 1; }
  export APES_PG_DIR
  export APES_TEST_POSTGRES="Host=127.0.0.1;Port=$APES_PG_PORT;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$APES_PG_PORT ($APES_PG_DIR)"
}

apes_pg_stop() {
  [[ -n "${APES_PG_DIR:-}" && -d "$APES_PG_DIR" ]] || return 0
  local bin as=()
  bin=$(apes_pg_bindir)
  [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$APES_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$APES_PG_DIR"
  unset APES_PG_DIR
}
