-- vanthu metadata schema, SQLite dialect. Keep in step with ../postgres/0001_foundation.sql:
-- same tables, columns and constraints; only the column types differ.
-- UUIDs are 16-byte BLOBs, timestamps RFC 3339 TEXT in UTC, dates ISO TEXT, JSON as TEXT.

CREATE TABLE agencies (
    id            BLOB PRIMARY KEY NOT NULL,
    organ_id      TEXT NOT NULL UNIQUE,          -- 13-character identifier, e.g. 000.00.00.G22
    name          TEXT NOT NULL,
    abbreviation  TEXT NOT NULL,                 -- used in notations: 15/QĐ-UBND
    created_at    TEXT NOT NULL
);

CREATE TABLE units (
    id            BLOB PRIMARY KEY NOT NULL,
    agency_id     BLOB NOT NULL REFERENCES agencies(id),
    abbreviation  TEXT NOT NULL,                 -- used in công văn notations: 05/UBND-VX
    name          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (agency_id, abbreviation)
);

CREATE TABLE users (
    id             BLOB PRIMARY KEY NOT NULL,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT,                         -- argon2id PHC string; NULL = token-only user
    role           TEXT NOT NULL CHECK (role IN ('clerk', 'signer', 'staff', 'auditor', 'admin')),
    clearance      TEXT NOT NULL CHECK (clearance IN ('none', 'mat', 'toi_mat', 'tuyet_mat')),
    agency_id      BLOB NOT NULL REFERENCES agencies(id),
    unit_id        BLOB REFERENCES units(id),
    active         BOOLEAN NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,            -- SHA-256 of the bearer token; the token itself is never stored
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
);

CREATE TABLE certificates (
    id                  BLOB PRIMARY KEY NOT NULL,
    agency_id           BLOB NOT NULL REFERENCES agencies(id),
    purpose             TEXT NOT NULL CHECK (purpose IN ('personal', 'organization')),
    subject             TEXT NOT NULL,
    issuer              TEXT NOT NULL,
    serial_hex          TEXT NOT NULL,
    sha256_fingerprint  TEXT NOT NULL UNIQUE,
    pem                 TEXT NOT NULL,
    not_before          TEXT NOT NULL,
    not_after           TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

CREATE TABLE signers (
    id              BLOB PRIMARY KEY NOT NULL,
    user_id         BLOB NOT NULL REFERENCES users(id),
    certificate_id  BLOB NOT NULL REFERENCES certificates(id),
    position        TEXT NOT NULL,               -- chức vụ, e.g. Chủ tịch
    authority_mark  TEXT,                        -- TM. / KT. / Q. / TL. / TUQ.
    active          BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    UNIQUE (user_id, certificate_id)
);

CREATE TABLE registers (
    id             BLOB PRIMARY KEY NOT NULL,
    agency_id      BLOB NOT NULL REFERENCES agencies(id),
    year           INTEGER NOT NULL,             -- calendar year in Vietnam time
    sequence_kind  TEXT NOT NULL CHECK (sequence_kind IN ('regular', 'confidential', 'legal_normative', 'copy')),
    document_type  TEXT NOT NULL DEFAULT '',     -- only for legal_normative: one sequence per type
    last_number    INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    UNIQUE (agency_id, year, sequence_kind, document_type)
);

CREATE TABLE documents (
    id               BLOB PRIMARY KEY NOT NULL,
    agency_id        BLOB NOT NULL REFERENCES agencies(id),
    unit_id          BLOB NOT NULL REFERENCES units(id),
    document_type    TEXT NOT NULL,
    confidentiality  TEXT NOT NULL CHECK (confidentiality IN ('none', 'mat', 'toi_mat', 'tuyet_mat')),
    urgency          TEXT NOT NULL CHECK (urgency IN ('normal', 'khan', 'thuong_khan', 'hoa_toc')),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'signed_personal', 'issued', 'revoked', 'registered_stub')),
    subject          TEXT NOT NULL,
    language         TEXT NOT NULL,
    page_amount      INTEGER,
    description      TEXT,
    recipients       TEXT NOT NULL DEFAULT '[]', -- JSON array of {organ_id, organ_name}
    issued_amount    INTEGER,
    due_date         TEXT,
    signer_user_id   BLOB REFERENCES users(id),
    register_id      BLOB REFERENCES registers(id),
    ordinal          INTEGER,
    notation         TEXT,
    issued_at        TEXT,
    created_by       BLOB NOT NULL REFERENCES users(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (register_id, ordinal)
);
CREATE INDEX documents_by_agency_and_time ON documents (agency_id, created_at);

-- Every stored file of a document, one per lifecycle step. The bytes live in object storage
-- under a content-addressed key derived from sha256; the object is written before this row.
CREATE TABLE document_files (
    id                 BLOB PRIMARY KEY NOT NULL,
    document_id        BLOB NOT NULL REFERENCES documents(id),
    kind               TEXT NOT NULL CHECK (kind IN ('draft', 'signed_personal', 'issued')),
    sha256             TEXT NOT NULL,
    size_bytes         INTEGER NOT NULL,
    media_type         TEXT NOT NULL,
    original_filename  TEXT,
    created_at         TEXT NOT NULL,
    UNIQUE (document_id, kind)
);

CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             BLOB NOT NULL UNIQUE,
    occurred_at    TEXT NOT NULL,
    actor_user_id  BLOB REFERENCES users(id),
    action         TEXT NOT NULL,
    document_id    BLOB REFERENCES documents(id),
    details        TEXT NOT NULL                 -- JSON object
);
CREATE INDEX audit_events_by_document ON audit_events (document_id, seq);
