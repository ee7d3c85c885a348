#!/usr/bin/env bash
# Start a PostgreSQL server on loopback for the database tests and print the URL to use:
#   export SEGKIT_TEST_POSTGRES_URL=$(bash .ci/start-postgres.sh)
# Installs Debian's postgresql package when missing (needs root, as on CI).
set -euo pipefail
log() { echo "start-postgres: $*" >&2; }
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql (Debian package)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $2}')
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1); cluster=main
  pg_createcluster "$version" "$cluster" >&2
fi
cd /  # the postgres user may not read the caller's folder
pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1 || pg_ctlcluster "$version" "$cluster" start >&2
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
psql_admin() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt -c \"$1\"" ; }
for _ in $(seq 1 30); do psql_admin "select 1" >/dev/null 2>&1 && break; sleep 1; done
psql_admin "select 1 from pg_roles where rolname='segkit'" | grep -q 1 || psql_admin "create role segkit login password 'segkit' createdb"
psql_admin "select 1 from pg_database where datname='segkit_test'" | grep -q 1 || psql_admin "create database segkit_test owner segkit"
log "PostgreSQL $version/$cluster on 127.0.0.1:$port, database segkit_test"
echo "postgresql+psycopg://segkit:segkit@127.0.0.1:$port/segkit_test"
