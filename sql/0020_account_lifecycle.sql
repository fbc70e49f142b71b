-- Account lifecycle: a password that must be changed at the next sign-in (after an administrator reset it), and an
-- optional second factor (TOTP, RFC 6238). The secret is kept only once confirmed with a code; a code is accepted once
-- (the last time step used is kept).
ALTER TABLE users
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    ADD COLUMN password_changed_at timestamptz,
    ADD COLUMN totp_secret text,
    ADD COLUMN totp_pending text,
    ADD COLUMN totp_last_step bigint;
