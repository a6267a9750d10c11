//! The index schema. Every change to the fields or their analysis bumps
//! [`crate::SCHEMA_VERSION`], which makes nodes set their old index aside and rebuild.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analysis::{BIGRAM, EXACT, FOLD};

/// Handles of every field, resolved once.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    /// `"{organ_id}#{clearance}"`: agency scope and clearance level in one term, so the
    /// permission filter is a single term set inside the query.
    pub scope: Field,
    pub organ_id: Field,
    pub unit: Field,
    pub document_type: Field,
    pub status: Field,
    pub signature_state: Field,
    pub signer: Field,
    pub revision: Field,
    pub issue_date: Field,
    pub issue_year: Field,
    /// The number as written (`05/QĐ-UBND`), stored only.
    pub number: Field,
    /// The normalised whole number (`5/qd-ubnd`), one raw term.
    pub number_key: Field,
    /// The parts of the number (`5 qd ubnd`), with positions for phrase matching.
    pub number_parts: Field,
    pub subject_exact: Field,
    pub subject_fold: Field,
    pub subject_bigram: Field,
    pub body_exact: Field,
    pub body_fold: Field,
    pub body_bigram: Field,
    /// Type name and signer, searchable as text ("quyết định", "Nguyễn Văn A").
    pub meta_exact: Field,
    pub meta_fold: Field,
    /// The file has no text layer (a scanned image): indexed for the filter, stored for hits.
    pub scan: Field,
}

fn text(analyzer: &str, record: IndexRecordOption, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub(crate) fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    let freqs = IndexRecordOption::WithFreqs;
    builder.add_text_field("document_id", STRING | STORED);
    builder.add_text_field("scope", STRING);
    builder.add_text_field("organ_id", STRING | FAST | STORED);
    builder.add_text_field("unit", STRING | FAST | STORED);
    builder.add_text_field("document_type", STRING | FAST | STORED);
    builder.add_text_field("status", STRING | FAST | STORED);
    builder.add_text_field("signature_state", STRING | FAST | STORED);
    builder.add_text_field("signer", STRING | FAST | STORED);
    builder.add_u64_field(
        "revision",
        NumericOptions::default().set_stored().set_fast(),
    );
    builder.add_date_field(
        "issue_date",
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds),
    );
    builder.add_u64_field("issue_year", NumericOptions::default().set_fast());
    builder.add_text_field("number", STORED);
    builder.add_text_field("number_key", STRING);
    builder.add_text_field(
        "number_parts",
        text(FOLD, IndexRecordOption::WithFreqsAndPositions, false),
    );
    builder.add_text_field("subject_exact", text(EXACT, freqs, true));
    builder.add_text_field("subject_fold", text(FOLD, freqs, false));
    builder.add_text_field("subject_bigram", text(BIGRAM, freqs, false));
    builder.add_text_field("body_exact", text(EXACT, freqs, true));
    builder.add_text_field("body_fold", text(FOLD, freqs, false));
    builder.add_text_field("body_bigram", text(BIGRAM, freqs, false));
    builder.add_text_field("meta_exact", text(EXACT, freqs, false));
    builder.add_text_field("meta_fold", text(FOLD, freqs, false));
    builder.add_bool_field("scan", INDEXED | STORED);
    builder.build()
}

impl Fields {
    pub(crate) fn resolve(schema: &Schema) -> tantivy::Result<Self> {
        let f = |name: &str| schema.get_field(name);
        Ok(Self {
            id: f("document_id")?,
            scope: f("scope")?,
            organ_id: f("organ_id")?,
            unit: f("unit")?,
            document_type: f("document_type")?,
            status: f("status")?,
            signature_state: f("signature_state")?,
            signer: f("signer")?,
            revision: f("revision")?,
            issue_date: f("issue_date")?,
            issue_year: f("issue_year")?,
            number: f("number")?,
            number_key: f("number_key")?,
            number_parts: f("number_parts")?,
            subject_exact: f("subject_exact")?,
            subject_fold: f("subject_fold")?,
            subject_bigram: f("subject_bigram")?,
            body_exact: f("body_exact")?,
            body_fold: f("body_fold")?,
            body_bigram: f("body_bigram")?,
            meta_exact: f("meta_exact")?,
            meta_fold: f("meta_fold")?,
            scan: f("scan")?,
        })
    }
}
