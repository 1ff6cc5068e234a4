#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the version of the tool that
# runs it. One script, two callers: Docker Compose's temporal-schema-setup step (in the admin-tools image)
# and `npm run temporal:postgres` (with the temporal-sql-tool it built). Safe to re-run: `create` skips an
# existing database, `setup-schema -v 0.0` skips a database that has a schema already, and `update-schema`
# applies only the versions a database lacks, so a newer server upgrades an older database in place.
#
# Reads: SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD, DBNAME, VISIBILITY_DBNAME, SCHEMA_DIR (the server's
# schema/postgresql/v12), and TEMPORAL_SQL_TOOL (default: temporal-sql-tool on PATH).
set -eu
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
export SQL_PASSWORD
sql() { "$tool" --plugin postgres12 --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"; }
sql --db "$DBNAME" create
sql --db "$DBNAME" setup-schema -v 0.0
sql --db "$DBNAME" update-schema -d "$SCHEMA_DIR/temporal/versioned"
sql --db "$VISIBILITY_DBNAME" create
sql --db "$VISIBILITY_DBNAME" setup-schema -v 0.0
sql --db "$VISIBILITY_DBNAME" update-schema -d "$SCHEMA_DIR/visibility/versioned"
echo "Schemas of $DBNAME and $VISIBILITY_DBNAME are up to date"
