-- Personal data is kept for a limited time (Luật 91/2025/QH15): free-text comments and contact data may now be
-- cleared — set to NULL, never changed to something else — by the retention purge and by erasure on request. Every
-- other column of a response stays as it was stored; nothing is deleted.
CREATE OR REPLACE FUNCTION responses_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'responses are append-only: DELETE refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - 'contact_enc' - 'contact_hmac' - 'comment')
            IS DISTINCT FROM (to_jsonb(OLD) - 'contact_enc' - 'contact_hmac' - 'comment')
        OR (NEW.comment IS NOT NULL AND NEW.comment IS DISTINCT FROM OLD.comment) THEN
        RAISE EXCEPTION 'responses are append-only: only contact data and comments may be cleared'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
