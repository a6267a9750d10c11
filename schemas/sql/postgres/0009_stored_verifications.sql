-- Verifications of uploaded files that the auditor asked to keep (POST /api/verify?store=true):
-- the file itself is a write-once blob under its SHA-256; the view is the JSON the endpoint
-- answered at that time. Keep in step with ../sqlite/0009_stored_verifications.sql.
CREATE TABLE stored_verifications (
    id           UUID PRIMARY KEY NOT NULL,
    file_sha256  TEXT NOT NULL,
    file_size    BIGINT NOT NULL CHECK (file_size > 0),
    valid        BOOLEAN NOT NULL,
    indication   TEXT NOT NULL CHECK (indication IN ('valid', 'invalid', 'indeterminate')),
    view         TEXT NOT NULL,
    stored_by    UUID NOT NULL REFERENCES users(id),
    stored_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX stored_verifications_by_file ON stored_verifications (file_sha256);
