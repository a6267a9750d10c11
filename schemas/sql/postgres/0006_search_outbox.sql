-- Documents whose searchable state changed, in commit order; each node's indexer reads from
-- its own checkpoint (the search index is derived and per node). Keep in step with
-- ../sqlite/0006_search_outbox.sql.
CREATE TABLE search_outbox (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  UUID NOT NULL REFERENCES documents(id),
    enqueued_at  TIMESTAMPTZ NOT NULL
);
