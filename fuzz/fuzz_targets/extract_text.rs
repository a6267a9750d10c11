//! Upload checks and text extraction (search index feed) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vanthu::pdf::inspect(data);
    let _ = vanthu::pdf::extract_text(data);
});
