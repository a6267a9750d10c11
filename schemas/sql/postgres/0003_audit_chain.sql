-- Tamper-evident audit log: every event carries the hash of the previous one. The head of
-- the chain is kept in one row that writers lock, so events are chained in commit order even
-- with several nodes. Keep in step with ../sqlite/0003_audit_chain.sql.

ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;

CREATE TABLE audit_chain_head (
    id         BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq   BIGINT NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, last_seq, last_hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
