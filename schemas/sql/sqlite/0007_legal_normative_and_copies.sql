-- Legal normative documents take their number from the per-type sequence and print the year
-- in the notation (15/2026/QĐ-UBND). A copy (bản sao: SY, SL, TrS) is a document of its own,
-- numbered in the agency's copies sequence, pointing at the original it copies.
-- Keep in step with ../postgres/0007_legal_normative_and_copies.sql.
ALTER TABLE documents ADD COLUMN legal_normative BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN copy_of BLOB REFERENCES documents(id);
ALTER TABLE documents ADD COLUMN copy_kind TEXT CHECK (copy_kind IN ('SY', 'SL', 'TrS'));
CREATE INDEX documents_by_copy_of ON documents (copy_of);
