-- Documents whose searchable state changed, in commit order; each node's indexer reads from
-- its own checkpoint (the search index is derived and per node). Keep in step with
-- ../postgres/0006_search_outbox.sql.
CREATE TABLE search_outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  BLOB NOT NULL REFERENCES documents(id),
    enqueued_at  TEXT NOT NULL
);
