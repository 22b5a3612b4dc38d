#!/usr/bin/env bash
# pg-ordered-dump DATABASE: a plain-SQL dump whose rows stay in place from night to night,
# so that a deduplicating backup stores only the parts that changed.
#
# pg_dump writes each table in physical (heap) order, and an updated row moves in the heap:
# a 1% change scatters across the whole dump. Here every table is copied in primary-key
# order (tables without one: by their text), with the schema, sequence values, large
# objects, indexes and constraints from pg_dump, all read from one REPEATABLE READ snapshot
# (pg_dump --snapshot), so the dump is as consistent as pg_dump's own.
#
# Restore it as any plain dump: psql -v ON_ERROR_STOP=1 -f dump.sql NEWDB.
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD ...); psql and
# pg_dump from PATH, or PG_DUMP=/path/to/pg_dump. Not handled: the data of extension
# configuration tables (pg_extension_config_dump). Run as the tables' owner or a superuser.
set -euo pipefail
export PGDATABASE="$1"
pg_dump=${PG_DUMP:-pg_dump}
psql -X -q -A -t -v ON_ERROR_STOP=1 --pset=footer=off <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT pg_export_snapshot() AS snapshot \gset
\setenv DUMP_SNAPSHOT :snapshot
\! "$pg_dump" --snapshot="\$DUMP_SNAPSHOT" --section=pre-data
SELECT format('SELECT %L', format('COPY %I.%I (%s) FROM stdin;', n.nspname, c.relname, cols.list)),
       format('COPY (SELECT %s FROM %I.%I t ORDER BY %s) TO STDOUT', cols.list, n.nspname, c.relname,
              coalesce(pk.list, 't::text COLLATE "C"')),
       \$\$SELECT '\\.'\$\$
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS list
                    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') cols
LEFT JOIN LATERAL (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) AS list
                   FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                   WHERE i.indrelid = c.oid AND i.indisprimary) pk ON true
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
\gexec
SELECT format('SELECT format(%L, last_value, is_called) FROM %I.%I',
              format('SELECT pg_catalog.setval(%L, %%s, %%L);', format('%I.%I', n.nspname, c.relname)), n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY n.nspname, c.relname
\gexec
\! "$pg_dump" --snapshot="\$DUMP_SNAPSHOT" --section=data --exclude-table-data='*'
\! "$pg_dump" --snapshot="\$DUMP_SNAPSHOT" --section=post-data
COMMIT;
SQL
