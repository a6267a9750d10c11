//! Object streams, expanded by us instead of by lopdf. lopdf hands each object-stream member
//! to the load filter and keeps what the filter returns, while for every other object it
//! keeps the parsed object and ignores the filter's answer; a filter that must serve members
//! therefore clones every object of the file. Hiding object streams from lopdf (their
//! `/Type` renamed and marked with a per-process secret) lets the filter answer `Null`, and
//! [`expand`] fills the members in afterwards, once each stream passed
//! [`super::limits::object_stream_is_sane`].

use std::sync::OnceLock;

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectStream};

use super::limits::object_stream_is_sane;

/// The `/Type` a hidden object stream carries while lopdf loads the file.
const HIDDEN_TYPE: &[u8] = b"VanthuHiddenObjStm";
/// The key whose value must be this process's secret for a `HIDDEN_TYPE` stream to be
/// ours: a file cannot smuggle a stream in as an object stream by naming it so.
const HIDDEN_MARK: &[u8] = b"VanthuHiddenMark";

fn secret() -> i64 {
    static SECRET: OnceLock<i64> = OnceLock::new();
    *SECRET.get_or_init(rand::random)
}

/// Called by the load filter on every indirect stream: hides an object stream from lopdf.
pub(super) fn hide(stream: &mut lopdf::Stream) {
    if stream.dict.has_type(b"ObjStm") {
        stream.dict.set("Type", Object::Name(HIDDEN_TYPE.to_vec()));
        stream.dict.set(HIDDEN_MARK, Object::Integer(secret()));
    }
}

fn is_hidden(stream: &lopdf::Stream) -> bool {
    stream.dict.has_type(HIDDEN_TYPE)
        && matches!(stream.dict.get(HIDDEN_MARK), Ok(Object::Integer(mark)) if *mark == secret())
}

/// Restores every hidden object stream and puts its members where lopdf would have: a
/// member is taken when the cross-reference data places it in this stream or does not
/// list it, and never over an object that a plain (uncompressed) entry defines. Refuses the
/// file when an object stream fails the sanity check or decompresses past the limit.
pub(super) fn expand(document: &mut Document, max_decompressed_size: usize) -> lopdf::Result<()> {
    let mut expanded = Vec::new();
    for (id, object) in document.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !is_hidden(stream) {
            continue;
        }
        stream.dict.set("Type", Object::Name(b"ObjStm".to_vec()));
        stream.dict.remove(HIDDEN_MARK);
        if !object_stream_is_sane(stream) {
            return Err(lopdf::Error::InvalidObjectStream(
                "an object stream's index is out of bounds or its members overlap".into(),
            ));
        }
        match ObjectStream::new_with_limit(stream, Some(max_decompressed_size)) {
            Ok(members) => expanded.push((id.0, members)),
            Err(
                error @ lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                }),
            ) => return Err(error),
            // lopdf's lenient load skips an object stream it cannot read.
            Err(_) => {}
        }
    }
    let entries = &document.reference_table.entries;
    for (container, members) in expanded {
        for (member_id, member) in members.objects {
            let placed_here = match entries.get(&member_id.0) {
                Some(XrefEntry::Compressed { container: c, .. }) => *c == container,
                Some(XrefEntry::Free | XrefEntry::UnusableFree) => false,
                // A plain entry's own object wins (`or_insert`); lopdf falls back to the
                // member only when that object did not parse.
                Some(XrefEntry::Normal { .. }) | None => true,
            };
            if placed_here {
                document.objects.entry(member_id).or_insert(member);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PDF with a cross-reference stream and one object stream (object 4) of `/Type
    /// kind` with the given index and data, whose `members` members are objects 100… (the
    /// cross-reference stream places them there). The page references objects 100 and 101.
    pub(crate) fn pdf_with_object_stream(
        kind: &str,
        index: &str,
        data: &str,
        members: u32,
    ) -> Vec<u8> {
        let content = format!("{index}{data}");
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = std::collections::BTreeMap::new();
        let bodies = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /X 100 0 R /Y 101 0 R >>"
                .to_string(),
            format!(
                "<< /Type /{kind} /N {members} /First {} /Length {} >>\nstream\n{content}\nendstream",
                index.len(),
                content.len()
            ),
        ];
        for (number, body) in (1u32..).zip(bodies) {
            offsets.insert(number, pdf.len());
            pdf.extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
        }
        let size = 100 + members;
        let mut rows = Vec::new();
        for number in 0..size {
            let mut row = [0u8; 7];
            if let Some(offset) = offsets.get(&number) {
                row[0] = 1;
                row[1..5].copy_from_slice(&(*offset as u32).to_be_bytes());
            } else if number >= 100 {
                row[0] = 2;
                row[1..5].copy_from_slice(&4u32.to_be_bytes());
                row[5..7].copy_from_slice(&((number - 100) as u16).to_be_bytes());
            }
            rows.extend_from_slice(&row);
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!(
                "5 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
                rows.len()
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(&rows);
        pdf.extend_from_slice(
            format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        pdf
    }

    /// Objects 100 (a dictionary) and 101 (an array) in an object stream of `kind`.
    fn two_members(kind: &str) -> Vec<u8> {
        let data = "<< /Kind /Member /N 7 >> [1 2 (three) 100 0 R] ";
        pdf_with_object_stream(kind, "100 0 101 25 ", data, 2)
    }

    #[test]
    fn members_load_as_lopdf_loads_them() {
        let pdf = two_members("ObjStm");
        let plain = Document::load_mem(&pdf).unwrap();
        let ours = super::super::limits::load(&pdf, 1024 * 1024).unwrap();
        assert!(plain.objects.contains_key(&(101, 0)));
        assert_eq!(
            ours.objects.keys().collect::<Vec<_>>(),
            plain.objects.keys().collect::<Vec<_>>()
        );
        for (id, object) in &plain.objects {
            assert_eq!(
                format!("{:?}", ours.objects[id]),
                format!("{object:?}"),
                "{id:?}"
            );
        }
    }

    #[test]
    fn a_stream_named_like_a_hidden_object_stream_is_not_expanded() {
        let pdf = two_members(std::str::from_utf8(HIDDEN_TYPE).unwrap());
        let ours = super::super::limits::load(&pdf, 1024 * 1024).unwrap();
        assert!(!ours.objects.contains_key(&(100, 0)));
        assert!(!ours.objects.contains_key(&(101, 0)));
    }
}
