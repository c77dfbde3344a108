/* pgsql — the rules table's DDL: created or migrated at every start, inside
 * one transaction under an advisory lock so concurrent routers do not race. */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lower-case identifiers only: they are spliced into SQL unquoted. */
static int safe_ident(const char *s)
{
	if (!s || !*s || strlen(s) > 40 || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

char *ar_pg_migration_sql(const char *schema, const char *table, const char *channel)
{
	if (!safe_ident(schema) || !safe_ident(table) || !safe_ident(channel))
		return NULL;
	const char *fmt =
		"BEGIN;\n"
		"SELECT pg_advisory_xact_lock(hashtext('tickpipe.anomaly_rules.migrate'));\n"
		"CREATE SCHEMA IF NOT EXISTS %1$s;\n"
		"CREATE TABLE IF NOT EXISTS %1$s.%2$s (\n"
		"  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 39 AND position('|' in id) = 0),\n"
		"  symbol text NOT NULL DEFAULT '*',\n"
		"  kind text NOT NULL,\n"
		"  params jsonb NOT NULL DEFAULT '{}'::jsonb,\n"
		"  enabled boolean NOT NULL DEFAULT true,\n"
		"  recipients text[] NOT NULL DEFAULT '{}',\n"
		"  owner text,\n"
		"  updated_at timestamptz NOT NULL DEFAULT now());\n"
		/* Columns added after the first release are added here, idempotently. */
		"ALTER TABLE %1$s.%2$s ADD COLUMN IF NOT EXISTS owner text;\n"
		"ALTER TABLE %1$s.%2$s ADD COLUMN IF NOT EXISTS recipients text[] NOT NULL DEFAULT '{}';\n"
		"CREATE INDEX IF NOT EXISTS %2$s_symbol_idx ON %1$s.%2$s (symbol);\n"
		"CREATE OR REPLACE FUNCTION %1$s.%2$s_touch() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
		"BEGIN NEW.updated_at := now(); RETURN NEW; END $f$;\n"
		"CREATE OR REPLACE FUNCTION %1$s.%2$s_notify() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
		"BEGIN PERFORM pg_notify('%3$s', TG_OP); RETURN NULL; END $f$;\n"
		"DROP TRIGGER IF EXISTS %2$s_touch ON %1$s.%2$s;\n"
		"CREATE TRIGGER %2$s_touch BEFORE UPDATE ON %1$s.%2$s\n"
		"  FOR EACH ROW EXECUTE FUNCTION %1$s.%2$s_touch();\n"
		"DROP TRIGGER IF EXISTS %2$s_changed ON %1$s.%2$s;\n"
		"CREATE TRIGGER %2$s_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$s.%2$s\n"
		"  FOR EACH STATEMENT EXECUTE FUNCTION %1$s.%2$s_notify();\n"
		"COMMIT;\n";
	size_t cap = strlen(fmt) + 40 * (strlen(schema) + strlen(table) + strlen(channel));
	char *sql = malloc(cap);
	if (sql)
		snprintf(sql, cap, fmt, schema, table, channel);
	return sql;
}
