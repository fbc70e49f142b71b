-- Ingest in one statement per batch (issue 3): the flags that depend on what is stored are computed by the INSERT
-- itself, which saves a round trip and a statement per batch. This is the SQL form of `OpeningHours.isOpen`
-- (Sources/HaiLongCore/OpeningHours.swift); a test checks the two agree over a week of times.
--
-- `hours` is the stored JSON (`{"mon": [["07:30","11:30"], …], …}`, a weekday left out is closed), `at` the tap
-- time, `zone` the IANA zone the hours are read in. Spans are [from, to) in minutes after local midnight.
CREATE FUNCTION opening_hours_open(hours jsonb, at timestamptz, zone text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM (SELECT at AT TIME ZONE zone AS local) AS l,
             jsonb_array_elements(hours -> (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
                 [extract(isodow FROM l.local)::int]) AS span,
             LATERAL (SELECT extract(hour FROM l.local)::int * 60 + extract(minute FROM l.local)::int AS minute) AS m
        WHERE m.minute >= split_part(span ->> 0, ':', 1)::int * 60 + split_part(span ->> 0, ':', 2)::int
          AND m.minute < split_part(span ->> 1, ':', 1)::int * 60 + split_part(span ->> 1, ':', 2)::int
    )
$$;
