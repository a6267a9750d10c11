//! Loading untrusted PDFs with lopdf under limits that lopdf alone does not apply.
//!
//! lopdf 0.47 bounds the nesting of arrays and dictionaries (100 levels), literal-string
//! parentheses (100), filters per stream (16), reference chains, and, per stream, the bytes
//! that object and cross-reference streams decompress to while loading (the caller's
//! `max_decompressed_size`). It does not bound what an *object stream* expands to: every
//! member is parsed from its offset to the end of the decoded stream, so an index that
//! points many members at the same large array (or at nested brackets of one) makes a small
//! file parse into gigabytes of objects. [`load`] checks every object stream before lopdf
//! expands it (see [`object_stream_is_sane`]) and refuses the file when one fails.

use lopdf::{Document, LoadOptions, Object, ObjectId, Stream};

/// Members one object stream may declare. Writers put 100 to a few hundred objects in each
/// (lopdf and qpdf: 100); a stream with more is hostile or broken.
pub const MAX_OBJECT_STREAM_MEMBERS: usize = 100_000;
/// Most bytes an object stream may decompress to. Object streams hold no streams (fonts and
/// images stay outside), so real ones are far smaller; this caps the transient buffer the
/// check below decodes.
pub const MAX_OBJECT_STREAM_BYTES: usize = 32 * 1024 * 1024;

/// `Document::load_mem_with_options` with `max_decompressed_size` per stream and every
/// object stream checked before it is expanded. Like lopdf's own lenient load, a file whose
/// page tree does not load is read again with a rebuilt cross-reference table
/// (`xref_recovery` then says `Reconstructed`): lopdf skips that retry when a load filter is
/// set, so it is done here.
pub fn load(bytes: &[u8], max_decompressed_size: usize) -> lopdf::Result<Document> {
    load_filtered(bytes, max_decompressed_size, check_object)
}

/// As [`load`], with the samples of every image XObject left out (emptied, and marked with
/// [`SAMPLES_NOT_LOADED`]): for the signing engine, which reads pages, fonts, content
/// streams and fields but never image data, so a scanned file costs its bytes plus a small
/// object graph.
pub fn load_without_image_samples(
    bytes: &[u8],
    max_decompressed_size: usize,
) -> lopdf::Result<Document> {
    load_filtered(bytes, max_decompressed_size, check_object_without_samples)
}

/// As [`load`], with the samples of every image XObject replaced by their length (8 bytes,
/// big-endian) and the stream marked with [`SAMPLES_NOT_LOADED`]: for the validator, which
/// compares objects between revisions but never looks at pixels. Revisions are prefixes of
/// one file, so the validator takes such a stream as unchanged only when both revisions read
/// it from the same cross-reference entry (the same bytes) with the same length. A scan
/// then costs its structure, not its size, in memory and in comparisons.
pub fn load_with_image_placeholders(
    bytes: &[u8],
    max_decompressed_size: usize,
) -> lopdf::Result<Document> {
    load_filtered(bytes, max_decompressed_size, check_object_placing_images)
}

fn check_object_placing_images(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object {
        if is_image(stream) {
            stream.content = (stream.content.len() as u64).to_be_bytes().to_vec();
            stream.start_position = None;
            stream.dict.set(SAMPLES_NOT_LOADED, true);
        }
    }
    check_object(id, object)
}

fn is_image(stream: &Stream) -> bool {
    stream
        .dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .is_ok_and(|name| name == b"Image")
}

/// Set on every image stream whose samples were not loaded, so no writer puts the emptied
/// stream back into a file.
pub const SAMPLES_NOT_LOADED: &[u8] = b"VanthuSamplesNotLoaded";

fn check_object_without_samples(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object {
        if is_image(stream) {
            // `start_position` cleared, or lopdf re-reads the "empty" stream from the file.
            stream.content = Vec::new();
            stream.start_position = None;
            stream.dict.set(SAMPLES_NOT_LOADED, true);
        }
    }
    check_object(id, object)
}

fn load_filtered(
    bytes: &[u8],
    max_decompressed_size: usize,
    filter: lopdf::FilterFunc,
) -> lopdf::Result<Document> {
    let options = |force_reconstruct| LoadOptions {
        max_decompressed_size: Some(max_decompressed_size),
        filter: Some(filter),
        force_reconstruct,
        ..LoadOptions::default()
    };
    let loaded = |force_reconstruct| {
        let mut document = Document::load_mem_with_options(bytes, options(force_reconstruct))?;
        super::object_streams::expand(&mut document, max_decompressed_size)?;
        Ok::<_, lopdf::Error>(document)
    };
    let document = loaded(false)?;
    let needs_password = document.trailer.has(b"Encrypt") && document.encryption_state.is_none();
    if !needs_password
        && document.xref_recovery != Some(lopdf::xref::XrefRecovery::Reconstructed)
        && !page_tree_loaded(&document)
    {
        if let Ok(rebuilt) = loaded(true) {
            if rebuilt.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed)
                && page_tree_loaded(&rebuilt)
            {
                return Ok(rebuilt);
            }
        }
    }
    Ok(document)
}

fn page_tree_loaded(document: &Document) -> bool {
    document
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"Pages").ok())
        .and_then(|pages| pages.as_reference().ok())
        .and_then(|root| document.get_dictionary(root).ok())
        .and_then(|root| root.get_deref(b"Kids", document).ok())
        .is_some_and(|kids| kids.as_array().is_ok())
}

/// The load filter: lopdf calls it for every indirect object before expanding object
/// streams, and for every object-stream member (whose returned value it keeps; for indirect
/// objects it keeps `object` itself and only looks at `None`). Streams are never members.
///
/// Object streams are hidden from lopdf here and expanded after the load
/// ([`super::object_streams::expand`]), once checked: so the filter can answer `Null` for
/// every object instead of cloning each one for the rare member that needs it.
fn check_object(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object {
        super::object_streams::hide(stream);
    }
    Some((id, Object::Null))
}

/// An object stream lopdf may expand: it decodes within [`MAX_OBJECT_STREAM_BYTES`], its
/// index declares at most [`MAX_OBJECT_STREAM_MEMBERS`] members at strictly increasing
/// offsets inside the data, and each member that opens an array, a dictionary or a string
/// closes it before the next member starts. Then parsing every member reads each byte of the
/// stream a bounded number of times.
pub(crate) fn object_stream_is_sane(stream: &Stream) -> bool {
    let Ok(content) = stream.get_plain_content_with_limit(MAX_OBJECT_STREAM_BYTES) else {
        // lopdf refuses (or skips) what does not decode either.
        return true;
    };
    let Some(first) = stream
        .dict
        .get(b"First")
        .ok()
        .and_then(|o| o.as_i64().ok())
        .and_then(|f| usize::try_from(f).ok())
    else {
        return true;
    };
    let Some(index) = content.get(..first) else {
        return true;
    };
    let Ok(index) = std::str::from_utf8(index) else {
        return true;
    };
    let numbers: Vec<Option<usize>> = index
        .split(['\r', '\n'])
        .flat_map(|line| {
            line.split('%')
                .next()
                .unwrap_or_default()
                .split_whitespace()
        })
        .map(|n| n.parse::<u32>().ok().map(|n| n as usize))
        .collect();
    if numbers.len() / 2 > MAX_OBJECT_STREAM_MEMBERS {
        return false;
    }
    // Offsets as lopdf reads them (relative to /First); pairs with an unreadable number are
    // skipped by lopdf too.
    let offsets: Vec<usize> = numbers
        .chunks_exact(2)
        .filter_map(|pair| Some((pair[0]?, pair[1]?)).map(|(_, offset)| offset))
        .filter_map(|offset| first.checked_add(offset))
        .filter(|&offset| offset < content.len())
        .collect();
    for (i, &start) in offsets.iter().enumerate() {
        let end = match offsets.get(i + 1) {
            Some(&next) if next <= start => return false,
            Some(&next) => next,
            None => content.len(),
        };
        if !first_object_closes(&content[start..end]) {
            return false;
        }
    }
    true
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0)
}

/// Whether the first object in `region` that opens a container (array, dictionary) or a
/// string also closes it inside `region`. A bounded, non-recursive scan of PDF syntax:
/// comments, literal strings with escapes and nested parentheses, hex strings.
fn first_object_closes(region: &[u8]) -> bool {
    let mut depth: usize = 0;
    let mut i = 0;
    while i < region.len() {
        let b = region[i];
        match b {
            _ if is_white(b) => i += 1,
            b'%' => {
                while i < region.len() && region[i] != b'\n' && region[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let mut parens = 1usize;
                i += 1;
                while i < region.len() && parens > 0 {
                    match region[i] {
                        b'\\' => i += 1,
                        b'(' => parens += 1,
                        b')' => parens -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                if parens > 0 {
                    return false;
                }
                if depth == 0 {
                    return true;
                }
            }
            b'<' if region.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'<' => {
                match region[i..].iter().position(|&c| c == b'>') {
                    Some(close) => i += close + 1,
                    None => return false,
                }
                if depth == 0 {
                    return true;
                }
            }
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' | b'>' => {
                let width = if b == b'>' && region.get(i + 1) == Some(&b'>') {
                    2
                } else {
                    1
                };
                depth = depth.saturating_sub(1);
                i += width;
                if depth == 0 {
                    return true;
                }
            }
            // A number, name, keyword or reference at the top level: nothing to close.
            _ if depth == 0 => return true,
            _ => i += 1,
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn object_stream(index: &str, data: &str) -> Stream {
        let content = format!("{index}{data}");
        Stream::new(
            dictionary! {
                "Type" => "ObjStm",
                "N" => 2,
                "First" => index.len() as i64,
            },
            content.into_bytes(),
        )
    }

    #[test]
    fn sane_object_streams_pass() {
        let stream = object_stream("10 0 11 14 ", "<< /A [1 2] >> (a\\)b) [ (x) <41> ]");
        assert!(object_stream_is_sane(&stream));
        assert!(object_stream_is_sane(&object_stream("1 0 2 2 ", "5 6 0 R")));
    }

    #[test]
    fn overlapping_or_unsorted_members_are_refused() {
        // Both members at offset 0.
        assert!(!object_stream_is_sane(&object_stream(
            "1 0 2 0 ", "[1 2 3]"
        )));
        // The second member starts inside the first (nested brackets).
        assert!(!object_stream_is_sane(&object_stream(
            "1 0 2 1 ",
            "[[1 2 3]]"
        )));
        // Offsets going backwards.
        assert!(!object_stream_is_sane(&object_stream(
            "1 4 2 0 ", "[1] [2]"
        )));
        // An unclosed string runs into the next member.
        assert!(!object_stream_is_sane(&object_stream("1 0 2 3 ", "(a [2]")));
    }

    /// lopdf stops at 100 levels of arrays and dictionaries; every entry point that parses
    /// untrusted PDFs must survive 100 000 levels (in an object, in the trailer and in a
    /// page's content stream) on a test thread's small stack.
    #[test]
    fn hundred_thousand_levels_of_nesting_do_not_overflow_the_stack() {
        const DEPTH: usize = 100_000;
        let arrays = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
        let dictionaries = format!("{}{}", "<</A ".repeat(DEPTH), ">>".repeat(DEPTH));
        for deep in [&arrays, &dictionaries] {
            let content = format!("BT /F1 12 Tf {deep} TJ ET");
            let mut pdf = String::from("%PDF-1.7\n");
            let mut offsets = Vec::new();
            for body in [
                "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
                format!("<< /Type /Page /Parent 2 0 R /Contents 4 0 R /X {deep} >>"),
                format!(
                    "<< /Length {} >>\nstream\n{content}\nendstream",
                    content.len()
                ),
            ] {
                offsets.push(pdf.len());
                pdf.push_str(&format!("{} 0 obj\n{body}\nendobj\n", offsets.len()));
            }
            let xref = pdf.len();
            pdf.push_str("xref\n0 5\n0000000000 65535 f \n");
            for offset in offsets {
                pdf.push_str(&format!("{offset:010} 00000 n \n"));
            }
            pdf.push_str(&format!(
                "trailer\n<< /Size 5 /Root 1 0 R /Deep {deep} >>\nstartxref\n{xref}\n%%EOF\n"
            ));
            let bytes = pdf.as_bytes();
            let _ = crate::pdf::inspect(bytes);
            let _ = crate::pdf::extract_text(bytes);
            let _ = crate::verify::verify_pdf(bytes, &crate::verify::VerifyOptions::default());
            let _ = load(bytes, 1024 * 1024);
            let _ = crate::pdf::fuzz_parse_cmap(deep.as_bytes());
        }
    }

    /// A PDF whose object stream declares `members` objects, all at offset 0, where one
    /// array of `len` integers lies.
    fn overlapping_object_stream(members: u32, len: usize) -> Vec<u8> {
        let index: String = (0..members).map(|i| format!("{} 0 ", 100 + i)).collect();
        let array = format!("[{}]", " 1".repeat(len));
        super::super::object_streams::tests::pdf_with_object_stream(
            "ObjStm", &index, &array, members,
        )
    }

    /// Regression (resource audit): lopdf gives every member its own copy of the array, so
    /// 20 000 members pointing at one 100 kB array (a 390 kB file) asked for over 30 GB.
    /// Refused now.
    #[test]
    fn object_stream_amplification_is_refused() {
        let small = overlapping_object_stream(3, 10);
        let plain = Document::load_mem(&small).unwrap();
        for member in 100..103 {
            let copy = plain.get_object((member, 0)).and_then(Object::as_array);
            assert_eq!(
                copy.map(Vec::len).ok(),
                Some(10),
                "lopdf expands member {member}"
            );
        }
        assert!(load(&small, 1024 * 1024).is_err());

        let pdf = overlapping_object_stream(20_000, 50_000);
        let started = std::time::Instant::now();
        assert!(load(&pdf, 64 * 1024 * 1024).is_err());
        assert!(crate::pdf::inspect(&pdf).is_err());
        assert!(crate::pdf::extract_text(&pdf).is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}
