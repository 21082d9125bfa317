#!/bin/sh
# One-shot (docker-compose.yml, service temporal-schema; image temporalio/admin-tools): creates
# Temporal's two PostgreSQL databases and brings their schemas up to the version the admin-tools
# image carries, which must be the server's version.
#
# Safe to run on every `docker compose up`: a database is created only when missing and its
# schema versioning set up only when it has none; update-schema then applies only the versions
# the database does not have yet. So an image upgrade is: new tags, `docker compose up`.
#
# The role SQL_USER must be a superuser or have CREATEDB while a database is missing.
#
# Environment: SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (also read by temporal-sql-tool itself),
# TEMPORAL_DB, VISIBILITY_DB.
set -eu

: "${SQL_HOST:?}" "${SQL_PORT:?}" "${SQL_USER:?}" "${SQL_PASSWORD:?}" "${TEMPORAL_DB:?}" "${VISIBILITY_DB:?}"
export SQL_PASSWORD
export PGPASSWORD="$SQL_PASSWORD"
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"
}

# One value from a query, empty when there is no row.
query() {
  psql -h "$SQL_HOST" -p "$SQL_PORT" -U "$SQL_USER" -d "$1" -v ON_ERROR_STOP=1 -tAc "$2"
}

attempts=0
until pg_isready -h "$SQL_HOST" -p "$SQL_PORT" -U "$SQL_USER" >/dev/null 2>&1; do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 60 ]; then
    echo "setup-schema: PostgreSQL at $SQL_HOST:$SQL_PORT did not answer" >&2
    exit 1
  fi
  sleep 1
done

# setup <database> <schema folder under SCHEMA_ROOT>
setup() {
  db=$1
  dir=$2
  if [ "$(query postgres "SELECT 1 FROM pg_database WHERE datname = '$db'")" = "1" ]; then
    echo "setup-schema: database $db exists"
  else
    # The role must be allowed to create databases (a superuser, or a role WITH CREATEDB), or the
    # tool fails with a less helpful message.
    if [ "$(query postgres "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")" = "f" ]; then
      echo "setup-schema: role $SQL_USER may not create database $db: ALTER ROLE $SQL_USER CREATEDB, or create it beforehand" >&2
      exit 1
    fi
    echo "setup-schema: creating database $db"
    sql_tool --db "$db" create
  fi
  if [ "$(query "$db" "SELECT to_regclass('public.schema_version') IS NOT NULL")" = "t" ]; then
    echo "setup-schema: $db has schema versioning"
  else
    echo "setup-schema: setting up schema versioning in $db"
    sql_tool --db "$db" setup-schema -v 0.0
  fi
  echo "setup-schema: updating $db from $SCHEMA_ROOT/$dir/versioned"
  sql_tool --db "$db" update-schema -d "$SCHEMA_ROOT/$dir/versioned"
}

setup "$TEMPORAL_DB" temporal
setup "$VISIBILITY_DB" visibility
echo "setup-schema: done"
