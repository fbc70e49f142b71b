-- Sign-in for the administrators' pages (issue 5): server-side sessions, so that signing out or an idle timeout ends
-- a session for good. The cookie carries a random session token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    -- The token of every state-changing form of the session (double-submitted: the form field must equal it).
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
