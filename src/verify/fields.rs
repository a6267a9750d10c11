//! The interactive form as a viewer sees it: terminal fields reached from `/AcroForm
//! /Fields` through `/Kids`, with inherited `/FT` and fully qualified names. Signatures are
//! the signature fields whose `/V` is set; the signer is never read from `/Name`.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Bounds on the field tree (bounded work on hostile forms).
const MAX_FIELD_NODES: usize = 10_000;
const MAX_FIELD_DEPTH: usize = 32;
/// Longest fully qualified field name kept (bytes). Every pending kid carries a copy of its
/// parent's name, so without a cap a long `/T` times many `/Kids` multiplies memory.
const MAX_FIELD_NAME: usize = 1024;

#[derive(Debug, Clone)]
pub(super) struct FieldInfo {
    pub id: ObjectId,
    pub name: String,
    pub field_type: Option<Vec<u8>>,
    /// The raw `/V` entry (a reference for signatures).
    pub value: Option<Object>,
    /// Widget annotations: the field itself when merged, or its `/Kids` without `/T`.
    pub widgets: Vec<ObjectId>,
}

impl FieldInfo {
    pub fn is_signature(&self) -> bool {
        self.field_type.as_deref() == Some(b"Sig")
    }

    pub fn is_text(&self) -> bool {
        self.field_type.as_deref() == Some(b"Tx")
    }
}

/// A dictionary entry with references followed (bounded by lopdf's own chain limit).
pub(super) fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    document.dereference(object).ok().map(|(_, o)| o)
}

pub(super) fn dictionary_of<'a>(
    document: &'a Document,
    object: &'a Object,
) -> Option<&'a Dictionary> {
    match resolve(document, object)? {
        Object::Dictionary(dictionary) => Some(dictionary),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

pub(super) fn acroform(document: &Document) -> Option<&Dictionary> {
    let catalog = document.catalog().ok()?;
    dictionary_of(document, catalog.get(b"AcroForm").ok()?)
}

/// A field node still to visit: id, parent's full name, inherited `/FT` and `/V`, depth.
type Pending = (ObjectId, String, Option<Vec<u8>>, Option<Object>, usize);

/// Every terminal field, depth first, in `/Fields` order.
pub(super) fn fields(document: &Document) -> Vec<FieldInfo> {
    let Some(form) = acroform(document) else {
        return Vec::new();
    };
    let Some(Object::Array(roots)) = form.get(b"Fields").ok().and_then(|o| resolve(document, o))
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut visited = BTreeSet::new();
    // Reversed so that popping visits the fields in order.
    let mut stack: Vec<Pending> = roots
        .iter()
        .rev()
        .filter_map(|o| o.as_reference().ok())
        .map(|id| (id, String::new(), None, None, 0))
        .collect();
    while let Some((id, parent_name, inherited_type, inherited_value, depth)) = stack.pop() {
        if visited.len() >= MAX_FIELD_NODES || depth > MAX_FIELD_DEPTH || !visited.insert(id) {
            continue;
        }
        let Ok(node) = document.get_dictionary(id) else {
            continue;
        };
        let partial = node
            .get(b"T")
            .ok()
            .and_then(|t| resolve(document, t))
            .and_then(text);
        let mut name = match (&partial, parent_name.is_empty()) {
            (Some(partial), true) => partial.clone(),
            (Some(partial), false) => format!("{parent_name}.{partial}"),
            (None, _) => parent_name.clone(),
        };
        truncate_name(&mut name);
        let field_type = match node.get(b"FT") {
            Ok(Object::Name(name)) => Some(name.clone()),
            _ => inherited_type,
        };
        let value = node.get(b"V").ok().cloned().or(inherited_value);
        let kids: Vec<ObjectId> = match node.get(b"Kids").ok().and_then(|k| resolve(document, k)) {
            Some(Object::Array(kids)) => {
                kids.iter().filter_map(|k| k.as_reference().ok()).collect()
            }
            _ => Vec::new(),
        };
        let (child_fields, widgets): (Vec<ObjectId>, Vec<ObjectId>) = kids
            .into_iter()
            .partition(|kid| document.get_dictionary(*kid).is_ok_and(|d| d.has(b"T")));
        if child_fields.is_empty() {
            let mut widgets = widgets;
            if is_widget(node) {
                widgets.insert(0, id);
            }
            found.push(FieldInfo {
                id,
                name,
                field_type,
                value,
                widgets,
            });
        } else {
            // What kids inherit is copied once per pending kid: only a reference (all a
            // signature value can use when inherited, see `signature_value`) is kept; any
            // other value becomes `null`, which still counts as "has a value". The stack is
            // bounded like the visits.
            let inherited = value.map(|v| match v {
                Object::Reference(_) => v,
                _ => Object::Null,
            });
            let room = (MAX_FIELD_NODES * 2).saturating_sub(stack.len());
            for kid in child_fields.into_iter().take(room).rev() {
                stack.push((
                    kid,
                    name.clone(),
                    field_type.clone(),
                    inherited.clone(),
                    depth + 1,
                ));
            }
        }
    }
    found
}

fn truncate_name(name: &mut String) {
    if name.len() > MAX_FIELD_NAME {
        let mut end = MAX_FIELD_NAME;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
}

pub(super) fn is_widget(dictionary: &Dictionary) -> bool {
    matches!(dictionary.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Widget")
}

/// A signature value: the dictionary and the object that holds it (the signature dictionary
/// itself, or the field when `/V` is inline).
pub(super) struct SignatureValue<'a> {
    pub container: ObjectId,
    pub dictionary: &'a Dictionary,
}

pub(super) fn signature_value<'a>(
    document: &'a Document,
    field: &'a FieldInfo,
) -> Option<SignatureValue<'a>> {
    match field.value.as_ref()? {
        Object::Reference(id) => match document.get_object(*id).ok()? {
            Object::Dictionary(dictionary) => Some(SignatureValue {
                container: *id,
                dictionary,
            }),
            _ => None,
        },
        Object::Dictionary(_) => {
            let node = document.get_dictionary(field.id).ok()?;
            match node.get(b"V").ok()? {
                Object::Dictionary(dictionary) => Some(SignatureValue {
                    container: field.id,
                    dictionary,
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding (read as
/// Latin-1, which agrees on the printable range).
pub(super) fn text(object: &Object) -> Option<String> {
    let Object::String(bytes, _) = object else {
        return None;
    };
    Some(decode_text(bytes))
}

pub(super) fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// `D:YYYYMMDDHHmmSSOHH'mm'` with every part after the year optional (ISO 32000 §7.9.4).
pub(super) fn parse_pdf_date(raw: &str) -> Option<DateTime<FixedOffset>> {
    let text = raw.trim();
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 || digits.len() > 14 || digits.len() % 2 != 0 {
        return None;
    }
    let part = |from: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + 2) {
            Some(p) => p.parse().ok(),
            None => Some(default),
        }
    };
    let year: i32 = digits.get(..4)?.parse().ok()?;
    let (month, day) = (part(4, 1)?, part(6, 1)?);
    let (hour, minute, second) = (part(8, 0)?, part(10, 0)?, part(12, 0)?);
    let rest = &text[digits.len()..];
    let offset_seconds = match rest.chars().next() {
        None | Some('Z') => 0,
        Some(sign @ ('+' | '-')) => {
            let numbers: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let hours: i32 = numbers.get(..2)?.parse().ok()?;
            let minutes: i32 = numbers.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 3600 + minutes * 60;
            if sign == '-' {
                -total
            } else {
                total
            }
        }
        Some(_) => return None,
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    offset.from_local_datetime(&naive).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_parse_with_and_without_parts() {
        let full = parse_pdf_date("D:20270105093000+07'00'").unwrap();
        assert_eq!(full.to_rfc3339(), "2027-01-05T09:30:00+07:00");
        assert_eq!(
            parse_pdf_date("D:2027").unwrap().to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_pdf_date("20270105Z").unwrap().to_rfc3339(),
            "2027-01-05T00:00:00+00:00"
        );
        assert_eq!(
            parse_pdf_date("D:20270105093000-05'30")
                .unwrap()
                .to_rfc3339(),
            "2027-01-05T09:30:00-05:30"
        );
        for bad in [
            "",
            "D:",
            "D:20271305",
            "D:2027010509300",
            "D:20270105093000+7",
            "D:20270105X",
            "D:20270105+99'00'",
        ] {
            assert!(parse_pdf_date(bad).is_none(), "{bad}");
        }
    }

    /// Regression (resource audit): a field whose `/Kids` lists one child 100 000 times
    /// used to push 100 000 copies of its (long) name and (large, direct) `/V` onto the
    /// stack: 2 MB of input asked for tens of gigabytes.
    #[test]
    fn many_kids_do_not_multiply_the_parent_name_and_value() {
        use lopdf::{dictionary, StringFormat};
        let mut document = Document::with_version("1.7");
        let child = document.add_object(dictionary! { "T" => Object::string_literal("c") });
        let huge_value = Object::Array(vec![Object::Integer(1); 100_000]);
        let parent = document.add_object(dictionary! {
            "T" => Object::String(vec![b'n'; 100_000], StringFormat::Literal),
            "FT" => "Sig",
            "V" => huge_value,
            "Kids" => Object::Array(vec![Object::Reference(child); 100_000]),
        });
        let form = document.add_object(dictionary! { "Fields" => vec![Object::Reference(parent)] });
        let catalog = document.add_object(dictionary! { "Type" => "Catalog", "AcroForm" => form });
        document.trailer.set("Root", catalog);
        let started = std::time::Instant::now();
        let found = fields(&document);
        assert_eq!(found.len(), 1, "the child is visited once");
        assert!(found[0].name.len() <= MAX_FIELD_NAME);
        assert!(
            matches!(found[0].value, Some(Object::Null)),
            "a non-reference /V is not copied"
        );
        assert!(found[0].is_signature());
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn text_strings_decode() {
        assert_eq!(decode_text(&[0xFE, 0xFF, 0x00, 0x53, 0x1E, 0xD1]), "Số");
        assert_eq!(decode_text(b"Sig1"), "Sig1");
        assert_eq!(decode_text(&[0xFE, 0xFF, 0x00]), "");
    }
}
