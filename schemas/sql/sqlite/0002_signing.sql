-- Signing: where the keys and images of signers and agencies are, and the sessions of the
-- two-step (prepare/complete) flow for signers whose key stays on their own token.
-- Keep in step with ../postgres/0002_signing.sql.

-- Server-held key of this certificate, as a PKCS#12 file relative to the PKI dir;
-- NULL when the key is held by the signer (USB token, remote signing service).
ALTER TABLE certificates ADD COLUMN pkcs12_path TEXT;
-- The signer's handwritten signature image (blue, transparent PNG) in object storage.
ALTER TABLE signers ADD COLUMN signature_image_sha256 TEXT;
-- The agency's seal image (red, transparent PNG) in object storage.
ALTER TABLE agencies ADD COLUMN seal_image_sha256 TEXT;

CREATE TABLE signing_sessions (
    id                 BLOB PRIMARY KEY NOT NULL,
    document_id        BLOB NOT NULL REFERENCES documents(id),
    user_id            BLOB NOT NULL REFERENCES users(id),
    certificate_id     BLOB NOT NULL REFERENCES certificates(id),
    prepared_sha256    TEXT NOT NULL,        -- the prepared PDF (zeros in /Contents) in object storage
    contents_start     INTEGER NOT NULL,
    contents_end       INTEGER NOT NULL,
    signed_attributes  TEXT NOT NULL,        -- hex DER of the CMS signed attributes to be signed
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    completed_at       TEXT
);
CREATE INDEX signing_sessions_by_document ON signing_sessions (document_id);
