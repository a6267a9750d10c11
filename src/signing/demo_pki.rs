//! The demo PKI created on first start: root CA → issuing CA → the agency's organization
//! certificate and one personal certificate per demo signer. Real-looking profiles: UTF-8
//! Vietnamese names, key usage digitalSignature + nonRepudiation (critical), no extended key
//! usage (NSS-based validators such as poppler's pdfsig then accept the certificate for
//! signing). Keys are RSA-2048, the size Vietnamese CA tokens use.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use openssl::asn1::{Asn1Integer, Asn1Time, Asn1Type};
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};
use openssl::x509::{X509Name, X509NameBuilder, X509};

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("openssl: {0}")]
    OpenSsl(#[from] openssl::error::ErrorStack),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Who a leaf certificate is for.
#[derive(Debug, Clone)]
pub struct LeafSubject {
    /// File stem for the PKCS#12 and PEM files, e.g. `organization` or `signer-chutich`.
    pub file_stem: String,
    pub common_name: String,
    pub organization: String,
    pub organizational_unit: Option<String>,
    pub title: Option<String>,
}

/// A certificate written to disk, with what the database records about it.
#[derive(Debug, Clone)]
pub struct IssuedCertificate {
    pub file_stem: String,
    pub pkcs12_path: PathBuf,
    pub pem: String,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub sha256_fingerprint: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct DemoPki {
    pub root_pem_path: PathBuf,
    pub issuing_pem_path: PathBuf,
    pub chain_pem_path: PathBuf,
    pub passphrase_path: PathBuf,
    pub leaves: Vec<IssuedCertificate>,
}

struct Authority {
    key: PKey<Private>,
    cert: X509,
}

/// Generates the whole PKI into `dir` (created if missing). `passphrase` protects every
/// PKCS#12 file and is itself written to `dir/passphrase` with owner-only permissions.
pub fn generate(dir: &Path, passphrase: &str, leaves: &[LeafSubject]) -> Result<DemoPki, PkiError> {
    create_private_dir(dir)?;
    let root_name = name(&[
        ("C", "VN"),
        ("O", "Vanthu Demo"),
        ("CN", "Vanthu Demo Root CA"),
    ])?;
    let root = self_signed_root(&root_name)?;
    let issuing_name = name(&[
        ("C", "VN"),
        ("O", "Vanthu Demo"),
        ("CN", "Vanthu Demo Issuing CA"),
    ])?;
    let issuing = intermediate(&issuing_name, &root)?;

    let root_pem_path = dir.join("root-ca.pem");
    let issuing_pem_path = dir.join("issuing-ca.pem");
    let chain_pem_path = dir.join("chain.pem");
    let passphrase_path = dir.join("passphrase");
    write(&root_pem_path, &root.cert.to_pem()?)?;
    write(&issuing_pem_path, &issuing.cert.to_pem()?)?;
    write(
        &chain_pem_path,
        &[issuing.cert.to_pem()?, root.cert.to_pem()?].concat(),
    )?;
    write_private(&passphrase_path, passphrase.as_bytes())?;

    let mut issued = Vec::with_capacity(leaves.len());
    for subject in leaves {
        issued.push(issue_leaf(dir, subject, &issuing, &root, passphrase)?);
    }
    Ok(DemoPki {
        root_pem_path,
        issuing_pem_path,
        chain_pem_path,
        passphrase_path,
        leaves: issued,
    })
}

fn issue_leaf(
    dir: &Path,
    subject: &LeafSubject,
    issuing: &Authority,
    root: &Authority,
    passphrase: &str,
) -> Result<IssuedCertificate, PkiError> {
    let mut parts = vec![("C", "VN"), ("O", subject.organization.as_str())];
    if let Some(unit) = &subject.organizational_unit {
        parts.push(("OU", unit));
    }
    if let Some(title) = &subject.title {
        parts.push(("title", title));
    }
    parts.push(("CN", subject.common_name.as_str()));
    let subject_name = name(&parts)?;
    let key = rsa_key()?;
    let mut builder = base_builder(&subject_name, issuing.cert.subject_name(), &key, 3 * 365)?;
    builder.append_extension(BasicConstraints::new().critical().build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .non_repudiation()
            .build()?,
    )?;
    let context = builder.x509v3_context(Some(&issuing.cert), None);
    let ski = SubjectKeyIdentifier::new().build(&context)?;
    let aki = AuthorityKeyIdentifier::new().keyid(true).build(&context)?;
    builder.append_extension(ski)?;
    builder.append_extension(aki)?;
    builder.sign(&issuing.key, MessageDigest::sha256())?;
    let cert = builder.build();

    let mut chain = Stack::new()?;
    chain.push(issuing.cert.clone())?;
    chain.push(root.cert.clone())?;
    let pkcs12 = Pkcs12::builder()
        .name(&subject.common_name)
        .pkey(&key)
        .cert(&cert)
        .ca(chain)
        .build2(passphrase)?;
    let pkcs12_path = dir.join(format!("{}.p12", subject.file_stem));
    write_private(&pkcs12_path, &pkcs12.to_der()?)?;
    let pem = String::from_utf8_lossy(&cert.to_pem()?).into_owned();
    write(
        &dir.join(format!("{}.pem", subject.file_stem)),
        pem.as_bytes(),
    )?;
    describe(&cert, subject.file_stem.clone(), pkcs12_path, pem)
}

fn describe(
    cert: &X509,
    file_stem: String,
    pkcs12_path: PathBuf,
    pem: String,
) -> Result<IssuedCertificate, PkiError> {
    let serial = cert.serial_number().to_bn()?.to_hex_str()?.to_string();
    Ok(IssuedCertificate {
        file_stem,
        pkcs12_path,
        pem,
        subject: name_to_string(cert.subject_name()),
        issuer: name_to_string(cert.issuer_name()),
        serial_hex: serial.to_lowercase(),
        sha256_fingerprint: hex::encode(cert.digest(MessageDigest::sha256())?),
        not_before: asn1_to_utc(cert.not_before())?,
        not_after: asn1_to_utc(cert.not_after())?,
    })
}

/// `CN=…, O=…, C=VN` with the UTF-8 values as written (no escaping of Vietnamese letters).
pub fn name_to_string(name: &openssl::x509::X509NameRef) -> String {
    let mut parts: Vec<String> = name
        .entries()
        .map(|entry| {
            let key = entry.object().nid().short_name().unwrap_or("?");
            let value = entry.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect();
    parts.reverse();
    parts.join(", ")
}

/// The certificate's common name (CN), if it has one.
pub fn common_name(certificate: &openssl::x509::X509Ref) -> Option<String> {
    certificate
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|entry| entry.data().to_string().ok())
}

fn asn1_to_utc(time: &openssl::asn1::Asn1TimeRef) -> Result<DateTime<Utc>, PkiError> {
    let epoch = Asn1Time::from_unix(0)?;
    let diff = epoch.diff(time)?;
    let seconds = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    Ok(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
}

fn self_signed_root(subject: &X509Name) -> Result<Authority, PkiError> {
    let key = rsa_key()?;
    let mut builder = base_builder(subject, subject, &key, 15 * 365)?;
    builder.append_extension(BasicConstraints::new().critical().ca().build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
    )?;
    let ski = SubjectKeyIdentifier::new().build(&builder.x509v3_context(None, None))?;
    builder.append_extension(ski)?;
    builder.sign(&key, MessageDigest::sha256())?;
    Ok(Authority {
        key,
        cert: builder.build(),
    })
}

fn intermediate(subject: &X509Name, root: &Authority) -> Result<Authority, PkiError> {
    let key = rsa_key()?;
    let mut builder = base_builder(subject, root.cert.subject_name(), &key, 10 * 365)?;
    builder.append_extension(BasicConstraints::new().critical().ca().pathlen(0).build()?)?;
    builder.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
    )?;
    let context = builder.x509v3_context(Some(&root.cert), None);
    let ski = SubjectKeyIdentifier::new().build(&context)?;
    let aki = AuthorityKeyIdentifier::new().keyid(true).build(&context)?;
    builder.append_extension(ski)?;
    builder.append_extension(aki)?;
    builder.sign(&root.key, MessageDigest::sha256())?;
    Ok(Authority {
        key,
        cert: builder.build(),
    })
}

fn base_builder(
    subject: &openssl::x509::X509NameRef,
    issuer: &openssl::x509::X509NameRef,
    key: &PKey<Private>,
    valid_days: u32,
) -> Result<openssl::x509::X509Builder, PkiError> {
    let mut builder = X509::builder()?;
    builder.set_version(2)?;
    let serial = random_serial()?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(subject)?;
    builder.set_issuer_name(issuer)?;
    builder.set_pubkey(key)?;
    // Back-dated by a day so a freshly issued certificate is valid on machines whose clocks
    // lag slightly behind.
    let yesterday = Asn1Time::from_unix(Utc::now().timestamp() - 86_400)?;
    builder.set_not_before(&yesterday)?;
    let not_after = Asn1Time::days_from_now(valid_days)?;
    builder.set_not_after(&not_after)?;
    Ok(builder)
}

fn random_serial() -> Result<Asn1Integer, PkiError> {
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    Ok(serial.to_asn1_integer()?)
}

fn rsa_key() -> Result<PKey<Private>, PkiError> {
    Ok(PKey::from_rsa(Rsa::generate(2048)?)?)
}

fn name(parts: &[(&str, &str)]) -> Result<X509Name, PkiError> {
    let mut builder = X509NameBuilder::new()?;
    for (field, value) in parts {
        let kind = if *field == "C" {
            Asn1Type::PRINTABLESTRING
        } else {
            Asn1Type::UTF8STRING
        };
        builder.append_entry_by_text_with_type(field, value, kind)?;
    }
    Ok(builder.build())
}

fn create_private_dir(dir: &Path) -> Result<(), PkiError> {
    std::fs::create_dir_all(dir).map_err(|source| PkiError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), PkiError> {
    std::fs::write(path, bytes).map_err(|source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a file only its owner can read (private keys, passphrases).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), PkiError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io_error = |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error)?;
    file.write_all(bytes).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::X509StoreContext;

    #[test]
    fn leaves_chain_to_the_root_and_keep_vietnamese_names() {
        let dir = tempfile::tempdir().unwrap();
        let leaves = [LeafSubject {
            file_stem: "signer-test".into(),
            common_name: "Nguyễn Văn An".into(),
            organization: "Ủy ban nhân dân tỉnh Bình An".into(),
            organizational_unit: None,
            title: Some("Chủ tịch".into()),
        }];
        let pki = generate(dir.path(), "pass", &leaves).unwrap();
        let leaf = &pki.leaves[0];
        assert!(
            leaf.subject.contains("CN=Nguyễn Văn An"),
            "{}",
            leaf.subject
        );

        let root = X509::from_pem(&std::fs::read(&pki.root_pem_path).unwrap()).unwrap();
        let issuing = X509::from_pem(&std::fs::read(&pki.issuing_pem_path).unwrap()).unwrap();
        let cert = X509::from_pem(leaf.pem.as_bytes()).unwrap();
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(root).unwrap();
        let store = store.build();
        let mut untrusted = Stack::new().unwrap();
        untrusted.push(issuing).unwrap();
        let mut context = X509StoreContext::new().unwrap();
        let verified = context
            .init(&store, &cert, &untrusted, |c| c.verify_cert())
            .unwrap();
        assert!(verified, "leaf must chain to the root");

        let p12 = Pkcs12::from_der(&std::fs::read(&leaf.pkcs12_path).unwrap()).unwrap();
        assert!(p12.parse2("pass").unwrap().pkey.is_some());
        assert!(p12.parse2("wrong").is_err());
    }
}
