-- hailong: expand-only
-- The responses that still hold personal data are few (a comment on a few in a hundred, a phone number on fewer), but
-- the daily retention purge and an erasure by phone number found them by reading every response: at 10M responses the
-- purge took 3 s of the database at every start of `hailong serve` (HousekeepingService runs it first), beside the
-- first figures reads. Each now reads a partial index of just those rows. Adds two indexes and nothing else, so an
-- older binary runs beside it. (Built without CONCURRENTLY, as every migration runs in a transaction: about 2 s at
-- 10M responses, during which ratings wait on the lock, not lost.)
CREATE INDEX responses_personal_data_idx ON responses (received_at)
    WHERE comment IS NOT NULL OR contact_enc IS NOT NULL OR contact_hmac IS NOT NULL;
CREATE INDEX responses_contact_lookup_idx ON responses (contact_hmac) WHERE contact_hmac IS NOT NULL;
