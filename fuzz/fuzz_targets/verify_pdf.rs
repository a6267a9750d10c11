//! The whole validator on arbitrary bytes: `Ok` with problems or `Err(NotPdf)`, never a
//! panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vanthu::verify::{verify_pdf, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let _ = verify_pdf(data, &VerifyOptions::default());
});
