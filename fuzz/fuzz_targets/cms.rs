//! Our CMS / DER reading (BER normalisation, SignedData, SignerInfo, signed attributes, ESS)
//! on arbitrary bytes as a signature's `/Contents`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vanthu::verify::fuzz_parse_cms(data);
});
