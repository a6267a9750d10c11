-- The latest scheduled re-validation of each issued document's file: a certificate revoked
-- after issuing, or a trust anchor withdrawn, changes the verdict; a change is also written
-- to the audit log. Keep in step with ../postgres/0008_verification_results.sql.
CREATE TABLE verification_results (
    document_id  BLOB PRIMARY KEY NOT NULL REFERENCES documents(id),
    file_sha256  TEXT NOT NULL,
    checked_at   TEXT NOT NULL,
    valid        BOOLEAN NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('compliant', 'non_compliant', 'exempt')),
    reasons      TEXT NOT NULL DEFAULT '[]'   -- JSON array of plain-language reasons
);
