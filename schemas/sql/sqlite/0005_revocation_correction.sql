-- Revocation (thu hồi) freezes an issued document and records why and by whom; nothing is
-- deleted. A correction letter (đính chính) or a replacing document references the original.
-- Keep in step with ../postgres/0005_revocation_correction.sql.
ALTER TABLE documents ADD COLUMN revoked_at TEXT;
ALTER TABLE documents ADD COLUMN revoked_by BLOB REFERENCES users(id);
ALTER TABLE documents ADD COLUMN revocation_reason TEXT;
ALTER TABLE documents ADD COLUMN related_document_id BLOB REFERENCES documents(id);
ALTER TABLE documents ADD COLUMN relation TEXT CHECK (relation IN ('correction', 'replacement'));
CREATE INDEX documents_by_related ON documents (related_document_id);
