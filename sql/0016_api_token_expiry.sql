-- API tokens may expire (`hailong token add --expires-days D`); an expired token is refused like a revoked one, by the
-- look-up and by the ingest statement's check that its caller is still active. last_used_at (sql/0001) is now kept,
-- at most once a minute per token, so `hailong token list` shows which tokens are still in use.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
