#!/bin/bash
# The official postgres image's first-start behaviour, in short: initdb, set the superuser's
# password, create the database, run /docker-entrypoint-initdb.d/*.sql, then exec postgres
# (PID 1; SIGINT = fast shutdown, see STOPSIGNAL).
set -euo pipefail
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
	POSTGRES_PASSWORD=$(<"$POSTGRES_PASSWORD_FILE")
fi
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE}"
if [[ ! -s $PGDATA/PG_VERSION ]]; then
	pwfile=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
		--encoding=UTF8 --locale=C.UTF-8 >/dev/null
	rm -f "$pwfile"
	echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start >/dev/null
	if [[ $db != postgres ]]; then
		psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$user" -d postgres \
			-c "CREATE DATABASE \"$db\" OWNER \"$user\""
	fi
	for f in /docker-entrypoint-initdb.d/*.sql; do
		[[ -e $f ]] || continue
		echo "running $f"
		psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$user" -d "$db" -f "$f"
	done
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql
