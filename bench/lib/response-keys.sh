# Sourced by the benchmarks that bulk-load responses (bench/aggregate, bench/views): loaded as a restore would, the
# responses' keys and indexes and the foreign keys to them are dropped first and made again afterwards with their own
# definitions. Both functions use the caller's psql_q (one statement, unaligned output) and psql_f (psql with arguments).

# Writes the statements that make the keys and indexes again to FILE, then drops them.
drop_response_keys() {  # FILE
    psql_q "SELECT 'ALTER TABLE responses ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) || ';'
            FROM pg_constraint WHERE conrelid = 'responses'::regclass AND contype IN ('p', 'u') ORDER BY contype, conname" >"$1"
    psql_q "SELECT indexdef || ';' FROM pg_indexes i WHERE tablename = 'responses' AND schemaname = 'public'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)" \
        >>"$1"
    psql_q "SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s;', conrelid::regclass, conname, pg_get_constraintdef(oid))
            FROM pg_constraint WHERE confrelid = 'responses'::regclass AND contype = 'f' ORDER BY conname" >>"$1"
    psql_q "SELECT string_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), '; ')
            FROM pg_constraint WHERE confrelid = 'responses'::regclass AND contype = 'f'" | psql_f >/dev/null
    psql_q "SELECT string_agg(format('ALTER TABLE responses DROP CONSTRAINT %I', conname), '; ')
            FROM pg_constraint WHERE conrelid = 'responses'::regclass AND contype IN ('p', 'u')" | psql_f >/dev/null
    psql_q "SELECT string_agg(format('DROP INDEX %I.%I', schemaname, indexname), '; ') FROM pg_indexes
            WHERE tablename = 'responses' AND schemaname = 'public'" | psql_f >/dev/null
}

# Makes the keys and indexes of FILE again.
restore_response_keys() {  # FILE
    grep -v '^;*$' "$1" | psql_f >/dev/null
}
