-- Each document keeps the id of the exemption rule that decided how it is handled, and whether
-- its summary was withheld. Keep in step with ../postgres/0004_exemption_rules.sql.
ALTER TABLE documents ADD COLUMN exemption_rule_id TEXT;
ALTER TABLE documents ADD COLUMN summary_withheld BOOLEAN NOT NULL DEFAULT 0;
