//! Incremental updates that add a PAdES signature to a PDF without touching its earlier bytes.
//! The original file is copied verbatim; new and changed objects, an xref section of the same
//! kind as the file uses (table or stream) and a trailer with `/Prev` are appended (lopdf's
//! `IncrementalDocument`). `/ByteRange` is written as a fixed-width placeholder and patched in
//! place; `/Contents` is reserved as zeros and filled with the CMS after signing.

use chrono::{DateTime, FixedOffset};
use lopdf::{
    dictionary, Dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat,
};
use sha2::{Digest, Sha256};

/// Name of the personal (layer 1) signature field.
pub const PERSONAL_FIELD: &str = "Sig1_CaNhan";
/// Name of the agency (layer 2) signature field, created empty before layer 1 is signed.
pub const AGENCY_FIELD: &str = "Sig2_CoQuan";

const BYTE_RANGE_PLACEHOLDER: i64 = 9_999_999_999;

#[derive(Debug, thiserror::Error)]
pub enum PdfSignError {
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted; signing encrypted files is not supported")]
    Encrypted,
    #[error("the PDF's cross-reference data is damaged; re-export the file before signing")]
    DamagedXref,
    #[error("the PDF has no page {0}")]
    NoSuchPage(u32),
    #[error("the PDF already has a signed field named {0}")]
    AlreadySigned(String),
    #[error("the PDF has no personal signature yet; layer 1 must come first")]
    MissingPersonalSignature,
    #[error("the PDF structure is unexpected: {0}")]
    Structure(String),
    #[error("the signature ({needed} bytes) does not fit the reserved {reserved} bytes")]
    ContentsTooSmall { needed: usize, reserved: usize },
}

impl From<lopdf::Error> for PdfSignError {
    fn from(error: lopdf::Error) -> Self {
        PdfSignError::Structure(error.to_string())
    }
}

/// Where a visible widget goes: page number (1-based) and rectangle in PDF points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub page: u32,
    pub rect: [f32; 4],
}

/// What goes into the signature dictionary besides the cryptography.
#[derive(Debug, Clone)]
pub struct SignatureInfo {
    pub signing_time: DateTime<FixedOffset>,
    pub reason: String,
    pub location: String,
    /// Bytes reserved for the DER CMS (the hex string is twice as long).
    pub reserved_bytes: usize,
}

/// A PDF with a signature dictionary whose `/Contents` is still zeros.
#[derive(Debug, Clone)]
pub struct PreparedPdf {
    bytes: Vec<u8>,
    /// Offset of the `<` that opens the `/Contents` hex string.
    contents_start: usize,
    /// Offset just after the closing `>`.
    contents_end: usize,
}

impl PreparedPdf {
    /// SHA-256 over both byte ranges: what the CMS message-digest attribute must carry.
    pub fn byte_range_digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(&self.bytes[..self.contents_start]);
        hasher.update(&self.bytes[self.contents_end..]);
        hasher.finalize().into()
    }

    pub fn reserved_bytes(&self) -> usize {
        (self.contents_end - self.contents_start - 2) / 2
    }

    /// Writes the CMS into the reserved `/Contents`; the rest stays zero padding.
    pub fn embed(mut self, cms_der: &[u8]) -> Result<Vec<u8>, PdfSignError> {
        let reserved = self.reserved_bytes();
        if cms_der.len() > reserved {
            return Err(PdfSignError::ContentsTooSmall {
                needed: cms_der.len(),
                reserved,
            });
        }
        let hex = hex::encode_upper(cms_der);
        let start = self.contents_start + 1;
        self.bytes[start..start + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Where `/Contents` is: `(start of '<', just after '>')`, kept with a stored session.
    pub fn contents_span(&self) -> (usize, usize) {
        (self.contents_start, self.contents_end)
    }

    /// Rebuilds a prepared PDF kept between prepare and complete, checking that the span is
    /// still an all-zero hex string inside the file.
    pub fn from_parts(
        bytes: Vec<u8>,
        contents_start: usize,
        contents_end: usize,
    ) -> Result<Self, PdfSignError> {
        let span_ok = contents_start + 2 < contents_end
            && contents_end <= bytes.len()
            && bytes[contents_start] == b'<'
            && bytes[contents_end - 1] == b'>'
            && bytes[contents_start + 1..contents_end - 1]
                .iter()
                .all(|b| *b == b'0');
        if !span_ok {
            return Err(PdfSignError::Structure(
                "the prepared file no longer has an empty /Contents there".into(),
            ));
        }
        Ok(Self {
            bytes,
            contents_start,
            contents_end,
        })
    }
}

pub(super) fn open(input: &[u8]) -> Result<IncrementalDocument, PdfSignError> {
    let document = crate::pdf::limits::load(input, crate::pdf::MAX_DECOMPRESSED_STREAM)
        .map_err(|e| PdfSignError::Unreadable(e.to_string()))?;
    if document.is_encrypted()
        || document.encryption_state.is_some()
        || document.trailer.get(b"Encrypt").is_ok()
    {
        return Err(PdfSignError::Encrypted);
    }
    // A rebuilt or corrected xref means /Prev would not chain to the real last revision.
    if document.xref_recovery.is_some() {
        return Err(PdfSignError::DamagedXref);
    }
    Ok(IncrementalDocument::create_from(input.to_vec(), document))
}

pub(super) fn add_signature_dictionary(
    update: &mut IncrementalDocument,
    info: &SignatureInfo,
) -> ObjectId {
    let placeholder = || Object::Integer(BYTE_RANGE_PLACEHOLDER);
    update.new_document.add_object(dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => "ETSI.CAdES.detached",
        "ByteRange" => vec![Object::Integer(0), placeholder(), placeholder(), placeholder()],
        "Contents" => Object::String(vec![0u8; info.reserved_bytes], StringFormat::Hexadecimal),
        "M" => Object::String(pdf_date(&info.signing_time).into_bytes(), StringFormat::Literal),
        "Reason" => text_string(&info.reason),
        "Location" => text_string(&info.location),
    })
}

/// What kind of field a widget belongs to.
pub(super) enum FieldKind {
    /// A signature field, signed now (`Some(signature dictionary)`) or left empty.
    Signature(Option<ObjectId>),
    /// A read-only text field filled by us at layer 2 (`Ff 1`).
    Text,
}

/// A merged field + widget annotation with its appearance. `F 132` = Print + Locked for
/// signature widgets; text widgets are Print only.
pub(super) fn add_widget(
    update: &mut IncrementalDocument,
    name: &str,
    page: ObjectId,
    rect: [f32; 4],
    kind: FieldKind,
    appearance: ObjectId,
) -> ObjectId {
    let mut widget = dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "T" => Object::string_literal(name),
        "P" => page,
        "Rect" => rect.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(),
        "AP" => dictionary! { "N" => appearance },
    };
    match kind {
        FieldKind::Signature(value) => {
            widget.set("FT", "Sig");
            widget.set("F", 132);
            if let Some(signature) = value {
                widget.set("V", signature);
            }
        }
        FieldKind::Text => {
            widget.set("FT", "Tx");
            widget.set("F", 4);
            widget.set("Ff", 1);
            widget.set("DA", Object::string_literal("/Helv 0 Tf 0 g"));
        }
    }
    update.new_document.add_object(widget)
}

pub(super) fn attach_widgets(
    update: &mut IncrementalDocument,
    page: ObjectId,
    widgets: &[ObjectId],
) -> Result<(), PdfSignError> {
    let references: Vec<Object> = widgets.iter().map(|w| Object::Reference(*w)).collect();
    let annots = update
        .get_prev_documents()
        .get_dictionary(page)?
        .get(b"Annots")
        .ok()
        .cloned();
    match annots {
        Some(Object::Reference(array_id)) => {
            update.opt_clone_object_to_new_document(array_id)?;
            update
                .new_document
                .get_object_mut(array_id)?
                .as_array_mut()?
                .extend(references);
        }
        existing => {
            let mut array = match existing {
                Some(Object::Array(array)) => array,
                _ => Vec::new(),
            };
            // The page may already be in the update (two widgets on one page).
            if let Ok(Object::Array(current)) = update
                .new_document
                .get_dictionary(page)
                .and_then(|d| d.get(b"Annots"))
                .cloned()
            {
                array = current;
            }
            array.extend(references);
            update.opt_clone_object_to_new_document(page)?;
            update
                .new_document
                .get_dictionary_mut(page)?
                .set("Annots", array);
        }
    }
    Ok(())
}

/// Adds the widgets to `/AcroForm /Fields` (creating the form if needed) and sets
/// `/SigFlags 3` (signatures exist; append only). With `text_fields`, the form also gets
/// default resources, since text fields name `/Helv` in their `/DA`.
pub(super) fn register_fields(
    update: &mut IncrementalDocument,
    widgets: &[ObjectId],
    text_fields: bool,
) -> Result<(), PdfSignError> {
    let references: Vec<Object> = widgets.iter().map(|w| Object::Reference(*w)).collect();
    let root = update
        .get_prev_documents()
        .trailer
        .get(b"Root")?
        .as_reference()?;
    let acroform = update
        .get_prev_documents()
        .get_dictionary(root)?
        .get(b"AcroForm")
        .ok()
        .cloned();
    match acroform {
        Some(Object::Reference(form_id)) => {
            update.opt_clone_object_to_new_document(form_id)?;
            let mut form = update.new_document.get_dictionary(form_id)?.clone();
            complete_form(update, &mut form, references, text_fields)?;
            update.new_document.set_object(form_id, form);
        }
        Some(Object::Dictionary(mut form)) => {
            complete_form(update, &mut form, references, text_fields)?;
            update.opt_clone_object_to_new_document(root)?;
            update
                .new_document
                .get_dictionary_mut(root)?
                .set("AcroForm", form);
        }
        _ => {
            let mut form = Dictionary::new();
            complete_form(update, &mut form, references, text_fields)?;
            let form = update.new_document.add_object(form);
            update.opt_clone_object_to_new_document(root)?;
            update
                .new_document
                .get_dictionary_mut(root)?
                .set("AcroForm", form);
        }
    }
    Ok(())
}

/// Appends the widgets to the form's `/Fields` — in place when that array is an indirect
/// object, in the form dictionary otherwise — and sets the signature flags.
fn complete_form(
    update: &mut IncrementalDocument,
    form: &mut Dictionary,
    references: Vec<Object>,
    text_fields: bool,
) -> Result<(), PdfSignError> {
    match form.get(b"Fields").ok().cloned() {
        Some(Object::Reference(fields_id)) => {
            update.opt_clone_object_to_new_document(fields_id)?;
            update
                .new_document
                .get_object_mut(fields_id)?
                .as_array_mut()?
                .extend(references);
        }
        other => {
            let mut array = match other {
                Some(Object::Array(array)) => array,
                _ => Vec::new(),
            };
            array.extend(references);
            form.set("Fields", array);
        }
    }
    form.set("SigFlags", 3);
    if text_fields {
        ensure_default_resources(form);
    }
    Ok(())
}

/// Text fields name `/Helv` in their `/DA`; a form without default resources gets them.
fn ensure_default_resources(form: &mut Dictionary) {
    if !form.has(b"DR") {
        form.set(
            "DR",
            dictionary! { "Font" => dictionary! { "Helv" => dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
            } } },
        );
    }
}

pub(super) fn finish(
    input: &[u8],
    mut update: IncrementalDocument,
) -> Result<PreparedPdf, PdfSignError> {
    let mut bytes = Vec::with_capacity(input.len() + 64 * 1024);
    update
        .save_to(&mut bytes)
        .map_err(|e| PdfSignError::Structure(format!("incremental save failed: {e}")))?;
    if !bytes.starts_with(input) {
        return Err(PdfSignError::Structure(
            "the incremental save rewrote earlier bytes".into(),
        ));
    }
    patch_byte_range(bytes, input.len())
}

/// Finds the placeholders in the appended part and writes the real `/ByteRange`, padded to
/// the placeholder's width so no offset moves.
fn patch_byte_range(mut bytes: Vec<u8>, appended_from: usize) -> Result<PreparedPdf, PdfSignError> {
    let placeholder = format!("[0 {p} {p} {p}]", p = BYTE_RANGE_PLACEHOLDER);
    let missing = |what: &str| PdfSignError::Structure(format!("{what} not found in the update"));
    let range_at = find(&bytes, placeholder.as_bytes(), appended_from)
        .ok_or_else(|| missing("/ByteRange placeholder"))?;
    // Pages have /Contents too: search from the start of the signature object itself.
    let object_start = bytes[..range_at]
        .windows(4)
        .rposition(|w| w == b" obj")
        .ok_or_else(|| missing("signature object"))?;
    let key = find(&bytes, b"/Contents", object_start).ok_or_else(|| missing("/Contents"))?;
    let contents_start = find(&bytes, b"<", key).ok_or_else(|| missing("/Contents string"))?;
    let contents_end =
        find(&bytes, b">", contents_start).ok_or_else(|| missing("/Contents end"))? + 1;
    let total = bytes.len();
    let actual = format!(
        "[0 {} {} {}]",
        contents_start,
        contents_end,
        total - contents_end
    );
    if actual.len() > placeholder.len() {
        return Err(PdfSignError::Structure(
            "the file is too large for the /ByteRange placeholder".into(),
        ));
    }
    let padded = format!("{actual:<width$}", width = placeholder.len());
    bytes[range_at..range_at + placeholder.len()].copy_from_slice(padded.as_bytes());
    Ok(PreparedPdf {
        bytes,
        contents_start,
        contents_end,
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

pub(super) fn page_id(document: &Document, page: u32) -> Result<ObjectId, PdfSignError> {
    document
        .get_pages()
        .get(&page)
        .copied()
        .ok_or(PdfSignError::NoSuchPage(page))
}

/// The terminal field named `name` among the form's top-level fields.
pub(super) fn find_field(
    document: &Document,
    name: &str,
) -> Result<Option<ObjectId>, PdfSignError> {
    for id in top_level_fields(document) {
        let Ok(field) = document.get_dictionary(id) else {
            continue;
        };
        if let Ok(Object::String(title, _)) = field.get(b"T") {
            if title.as_slice() == name.as_bytes() {
                return Ok(Some(id));
            }
        }
    }
    Ok(None)
}

fn top_level_fields(document: &Document) -> Vec<ObjectId> {
    let Ok(catalog) = document.catalog() else {
        return Vec::new();
    };
    let Ok(form) = catalog
        .get(b"AcroForm")
        .and_then(|o| document.dereference(o))
        .map(|(_, o)| o.clone())
    else {
        return Vec::new();
    };
    let Ok(form) = form.as_dict() else {
        return Vec::new();
    };
    let Ok((_, fields)) = form.get(b"Fields").and_then(|o| document.dereference(o)) else {
        return Vec::new();
    };
    fields
        .as_array()
        .map(|a| a.iter().filter_map(|o| o.as_reference().ok()).collect())
        .unwrap_or_default()
}

pub(super) fn field_is_signed(document: &Document, field: ObjectId) -> bool {
    document
        .get_dictionary(field)
        .map(|d| d.has(b"V"))
        .unwrap_or(false)
}

pub(super) fn has_any_signed_field(document: &Document) -> Result<bool, PdfSignError> {
    Ok(top_level_fields(document).into_iter().any(|id| {
        document.get_dictionary(id).is_ok_and(|d: &Dictionary| {
            matches!(d.get(b"FT"), Ok(Object::Name(n)) if n == b"Sig") && d.has(b"V")
        })
    }))
}

/// `D:YYYYMMDDHHmmSS+07'00'`.
fn pdf_date(time: &DateTime<FixedOffset>) -> String {
    let offset = time.offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "D:{}{sign}{:02}'{:02}'",
        time.format("%Y%m%d%H%M%S"),
        offset / 3600,
        (offset % 3600) / 60
    )
}

/// A PDF text string: PDFDocEncoding-compatible ASCII as is, anything else as UTF-16BE with BOM.
pub(super) fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        return Object::string_literal(text);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_carry_the_vietnam_offset() {
        let time = DateTime::parse_from_rfc3339("2027-01-05T09:30:00+07:00").unwrap();
        assert_eq!(pdf_date(&time), "D:20270105093000+07'00'");
    }

    #[test]
    fn non_ascii_text_is_utf16_with_a_byte_order_mark() {
        let Object::String(bytes, _) = text_string("Số") else {
            panic!()
        };
        assert_eq!(bytes, [0xFE, 0xFF, 0x00, 0x53, 0x1E, 0xD1]);
    }
}
