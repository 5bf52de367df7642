#!/usr/bin/env bash
# pg-test-cluster.sh start|stop|url DIR - a throwaway PostgreSQL cluster for
# the tests, made with Debian's postgresql 15 binaries.
#
#   start  initdb into DIR/data (once) and start the server: it listens on
#          a Unix socket in DIR and on 127.0.0.1 at a free port, trusts
#          local connections, and keeps fsync on (tests measure the real
#          thing); prints the base URL
#   stop   stop the server (DIR stays; remove it yourself)
#   url    print the base URL: the "postgres" database as the superuser,
#          e.g. postgresql://postgres@/postgres?host=DIR&port=PORT
#
# Run as root, initdb and the server run as the unprivileged "postgres"
# user (the postgresql package creates it), who is given DIR.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
	echo "usage: $0 start|stop|url DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac

if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	as_owner() { runuser -u postgres -- "$@"; }
else
	owner=$(id -un)
	as_owner() { "$@"; }
fi

url() {
	local port
	port=$(cat "$dir/port" 2>/dev/null) || {
		echo "pg-test-cluster: no cluster in $dir (run start first)" >&2
		exit 1
	}
	echo "postgresql://$owner@/postgres?host=$dir&port=$port"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
	[ -x "$PG_BIN/initdb" ] || {
		echo "pg-test-cluster: $PG_BIN/initdb missing: install postgresql (scripts/deps.sh)" >&2
		exit 1
	}
	mkdir -p "$dir"
	if [ "$owner" = postgres ]; then
		id postgres >/dev/null 2>&1 || {
			echo "pg-test-cluster: no user postgres: install postgresql (scripts/deps.sh)" >&2
			exit 1
		}
		chown postgres: "$dir"
		chmod 700 "$dir"
		as_owner test -w "$dir" || {
			echo "pg-test-cluster: user postgres cannot write $dir (a parent folder is closed to it?)" >&2
			exit 1
		}
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$PG_BIN/initdb" -D "$dir/data" -U "$owner" \
			--auth=trust --encoding=UTF8 --no-locale \
			>"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			exit 1
		}
	fi
	if [ -f "$dir/data/postmaster.pid" ] &&
		as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		url
		return
	fi
	free_port >"$dir/port"
	# Several test servers at once, each with a connection per thread.
	opts="-c listen_addresses=127.0.0.1 -c port=$(cat "$dir/port")"
	opts="$opts -c unix_socket_directories=$dir -c fsync=on"
	opts="$opts -c max_connections=300 -c shared_buffers=64MB"
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "$opts" start >/dev/null || {
		tail -20 "$dir/server.log" >&2
		exit 1
	}
	url
}

stop() {
	[ -f "$dir/data/PG_VERSION" ] || return 0
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

case "$cmd" in
start) start ;;
stop) stop ;;
url) url ;;
*) usage ;;
esac
