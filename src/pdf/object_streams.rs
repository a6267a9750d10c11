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
