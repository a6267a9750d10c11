//! Certificates parsed once per process. The same signers' certificates, organization
//! certificates and CAs recur in every document of an agency, and OpenSSL's decoding of them
//! was the largest single cost of validating a two-layer file (benches/RESULTS.md).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use openssl::x509::X509;
use sha2::{Digest, Sha256};

/// Distinct certificates kept parsed (an agency's signers, its organization certificate and
/// their CAs recur in every document; 1,024 covers many agencies). On overflow the cache is
/// emptied: bounded, and refilled by the next validations.
const CERTIFICATE_CACHE: usize = 1024;

/// `X509::from_der`, remembered by the SHA-256 of the DER: OpenSSL's certificate decoding was
/// the largest single cost of validating a two-layer file (benches/RESULTS.md). Decoding is
/// a pure function of the bytes, so a cached certificate is the one parsing would give.
pub fn certificate_from_der(encoded: &[u8]) -> Result<X509, openssl::error::ErrorStack> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], X509>>> = OnceLock::new();
    let key: [u8; 32] = Sha256::digest(encoded).into();
    let cache = CACHE.get_or_init(Default::default);
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(found) = lock().get(&key) {
        return Ok(found.clone());
    }
    let certificate = X509::from_der(encoded)?;
    let mut entries = lock();
    if entries.len() >= CERTIFICATE_CACHE {
        entries.clear();
    }
    entries.insert(key, certificate.clone());
    Ok(certificate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_decoded_once_and_garbage_is_refused() {
        let key =
            openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
        let mut name = openssl::x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "cache").unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_issuer_name(&name).unwrap();
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        builder
            .sign(&key, openssl::hash::MessageDigest::sha256())
            .unwrap();
        let der = builder.build().to_der().unwrap();
        let first = certificate_from_der(&der).unwrap();
        let second = certificate_from_der(&der).unwrap();
        assert_eq!(first.to_der().unwrap(), second.to_der().unwrap());
        assert!(certificate_from_der(b"not a certificate").is_err());
    }
}
