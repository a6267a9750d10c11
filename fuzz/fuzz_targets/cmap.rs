//! The ToUnicode / encoding CMap tokenizer and parser on arbitrary stream contents.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vanthu::pdf::fuzz_parse_cmap(data);
});
