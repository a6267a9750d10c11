//! The interactive form as a viewer sees it: terminal fields reached from `/AcroForm
//! /Fields` through `/Kids`, with inherited `/FT` and fully qualified names. Signatures are
//! the signature fields whose `/V` is set; the signer is never read from `/Name`.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Bounds on the field tree (bounded work on hostile forms).
const MAX_FIELD_NODES: usize = 10_000;
const MAX_FIELD_DEPTH: usize = 32;

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
        let name = match (&partial, parent_name.is_empty()) {
            (Some(partial), true) => partial.clone(),
            (Some(partial), false) => format!("{parent_name}.{partial}"),
            (None, _) => parent_name.clone(),
        };
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
            for kid in child_fields.into_iter().rev() {
                stack.push((
                    kid,
                    name.clone(),
                    field_type.clone(),
                    value.clone(),
                    depth + 1,
                ));
            }
        }
    }
    found
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

    #[test]
    fn text_strings_decode() {
        assert_eq!(decode_text(&[0xFE, 0xFF, 0x00, 0x53, 0x1E, 0xD1]), "Số");
        assert_eq!(decode_text(b"Sig1"), "Sig1");
        assert_eq!(decode_text(&[0xFE, 0xFF, 0x00]), "");
    }
}
