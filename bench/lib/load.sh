# Sourced by the benchmarks that bulk-load responses (bench/aggregate, bench/views). Loaded as a restore would, the
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

# Stores TOTAL synthetic responses over YEAR (bench/aggregate/responses.sql: FILE), not queued, in chunks of CHUNK, each
# chunk one session without foreign-key triggers and with synchronous_commit off (a restore, not the write path).
load_responses() {  # TOTAL CHUNK YEAR ZONE FILE
    local total=$1 chunk=$2 year=$3 zone=$4 file=$5 lo=1 hi chunk_no=0 days
    days=$(psql_q "SELECT make_date($year + 1, 1, 1) - make_date($year, 1, 1)")
    while (( lo <= total )); do
        hi=$(( lo + chunk - 1 )); (( hi > total )) && hi=$total
        chunk_no=$((chunk_no + 1))
        PGOPTIONS="-c session_replication_role=replica -c synchronous_commit=off -c work_mem=512MB" \
            psql_f -v lo="$lo" -v hi="$hi" -v g0=1 -v total="$total" -v day0="$year-01-01" -v span="$days" \
            -v zone="$zone" -v seed="0.$chunk_no" -v queue=false -f "$file" >/dev/null
        if declare -F log >/dev/null; then log "  loaded $hi"; fi
        lo=$(( hi + 1 ))
    done
}

# Stores RATE synthetic responses a second of the last day of YEAR, queued as the service queues them, numbered from
# FIRST, until killed: the ratings that arrive during a benchmark's live phase (run it in the background).
feed_responses() {  # FIRST RATE YEAR ZONE FILE
    local next=$1 rate=$2 year=$3 zone=$4 file=$5 t0
    while :; do
        t0=$(date +%s.%N)
        psql_f -v lo="$next" -v hi="$((next + rate - 1))" -v g0="$next" -v total="$rate" \
            -v day0="$year-12-31" -v span=1 -v zone="$zone" -v seed=0.77 -v queue=true -f "$file" >/dev/null
        next=$((next + rate))
        sleep "$(echo "s = 1 - ($(date +%s.%N) - $t0); if (s < 0) s = 0; s" | bc -l)"
    done
}
