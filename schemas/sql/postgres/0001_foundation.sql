-- vanthu metadata schema, PostgreSQL dialect. Keep in step with ../sqlite/0001_foundation.sql:
-- same tables, columns and constraints; only the column types differ.
-- UUIDs are uuid, timestamps timestamptz, dates date, JSON as TEXT (decoded by the application).

CREATE TABLE agencies (
    id            UUID PRIMARY KEY NOT NULL,
    organ_id      TEXT NOT NULL UNIQUE,          -- 13-character identifier, e.g. 000.00.00.G22
    name          TEXT NOT NULL,
    abbreviation  TEXT NOT NULL,                 -- used in notations: 15/QĐ-UBND
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE units (
    id            UUID PRIMARY KEY NOT NULL,
    agency_id     UUID NOT NULL REFERENCES agencies(id),
    abbreviation  TEXT NOT NULL,                 -- used in công văn notations: 05/UBND-VX
    name          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, abbreviation)
);

CREATE TABLE users (
    id             UUID PRIMARY KEY NOT NULL,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT,                         -- argon2id PHC string; NULL = token-only user
    role           TEXT NOT NULL CHECK (role IN ('clerk', 'signer', 'staff', 'auditor', 'admin')),
    clearance      TEXT NOT NULL CHECK (clearance IN ('none', 'mat', 'toi_mat', 'tuyet_mat')),
    agency_id      UUID NOT NULL REFERENCES agencies(id),
    unit_id        UUID REFERENCES units(id),
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id          UUID PRIMARY KEY NOT NULL,
    user_id     UUID NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,            -- SHA-256 of the bearer token; the token itself is never stored
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);

CREATE TABLE certificates (
    id                  UUID PRIMARY KEY NOT NULL,
    agency_id           UUID NOT NULL REFERENCES agencies(id),
    purpose             TEXT NOT NULL CHECK (purpose IN ('personal', 'organization')),
    subject             TEXT NOT NULL,
    issuer              TEXT NOT NULL,
    serial_hex          TEXT NOT NULL,
    sha256_fingerprint  TEXT NOT NULL UNIQUE,
    pem                 TEXT NOT NULL,
    not_before          TIMESTAMPTZ NOT NULL,
    not_after           TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE signers (
    id              UUID PRIMARY KEY NOT NULL,
    user_id         UUID NOT NULL REFERENCES users(id),
    certificate_id  UUID NOT NULL REFERENCES certificates(id),
    position        TEXT NOT NULL,               -- chức vụ, e.g. Chủ tịch
    authority_mark  TEXT,                        -- TM. / KT. / Q. / TL. / TUQ.
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, certificate_id)
);

CREATE TABLE registers (
    id             UUID PRIMARY KEY NOT NULL,
    agency_id      UUID NOT NULL REFERENCES agencies(id),
    year           BIGINT NOT NULL,             -- calendar year in Vietnam time
    sequence_kind  TEXT NOT NULL CHECK (sequence_kind IN ('regular', 'confidential', 'legal_normative', 'copy')),
    document_type  TEXT NOT NULL DEFAULT '',     -- only for legal_normative: one sequence per type
    last_number    BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, year, sequence_kind, document_type)
);

CREATE TABLE documents (
    id               UUID PRIMARY KEY NOT NULL,
    agency_id        UUID NOT NULL REFERENCES agencies(id),
    unit_id          UUID NOT NULL REFERENCES units(id),
    document_type    TEXT NOT NULL,
    confidentiality  TEXT NOT NULL CHECK (confidentiality IN ('none', 'mat', 'toi_mat', 'tuyet_mat')),
    urgency          TEXT NOT NULL CHECK (urgency IN ('normal', 'khan', 'thuong_khan', 'hoa_toc')),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'signed_personal', 'issued', 'revoked', 'registered_stub')),
    subject          TEXT NOT NULL,
    language         TEXT NOT NULL,
    page_amount      BIGINT,
    description      TEXT,
    recipients       TEXT NOT NULL DEFAULT '[]', -- JSON array of {organ_id, organ_name}
    issued_amount    BIGINT,
    due_date         DATE,
    signer_user_id   UUID REFERENCES users(id),
    register_id      UUID REFERENCES registers(id),
    ordinal          BIGINT,
    notation         TEXT,
    issued_at        TIMESTAMPTZ,
    created_by       UUID NOT NULL REFERENCES users(id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (register_id, ordinal)
);
CREATE INDEX documents_by_agency_and_time ON documents (agency_id, created_at);

-- Every stored file of a document, one per lifecycle step. The bytes live in object storage
-- under a content-addressed key derived from sha256; the object is written before this row.
CREATE TABLE document_files (
    id                 UUID PRIMARY KEY NOT NULL,
    document_id        UUID NOT NULL REFERENCES documents(id),
    kind               TEXT NOT NULL CHECK (kind IN ('draft', 'signed_personal', 'issued')),
    sha256             TEXT NOT NULL,
    size_bytes         BIGINT NOT NULL,
    media_type         TEXT NOT NULL,
    original_filename  TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (document_id, kind)
);

CREATE TABLE audit_events (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             UUID NOT NULL UNIQUE,
    occurred_at    TIMESTAMPTZ NOT NULL,
    actor_user_id  UUID REFERENCES users(id),
    action         TEXT NOT NULL,
    document_id    UUID REFERENCES documents(id),
    details        TEXT NOT NULL                 -- JSON object
);
CREATE INDEX audit_events_by_document ON audit_events (document_id, seq);
