#!/usr/bin/env bash
# A private PostgreSQL server for the SQL tests (tests/suite/sql.rs), on a Unix socket only:
#   eval "$(tests/sql/postgres.sh start)"   # installs Debian's postgresql if need be, starts
#                                          # a fresh cluster, prints `export TRADESEG_POSTGRES=…`
#   tests/sql/postgres.sh stop              # stops it and removes its files
set -euo pipefail
dir=${TRADESEG_PG_DIR:-/tmp/tradeseg-postgres}
port=54329
case "${1:-}" in
  start)
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2
      # The package may start its own cluster; only ours is wanted.
      for cluster in /etc/postgresql/*/main; do
        [ -d "$cluster" ] && pg_ctlcluster "$(basename "$(dirname "$cluster")")" main stop >&2 2>/dev/null || true
      done
    fi
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    # PostgreSQL will not run as root: as root, the cluster belongs to `postgres`.
    as=()
    if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U tradeseg --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=''" start >/dev/null
    echo "export TRADESEG_POSTGRES='host=$dir port=$port user=tradeseg dbname=postgres'"
    ;;
  stop)
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    as=()
    if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then
      "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
