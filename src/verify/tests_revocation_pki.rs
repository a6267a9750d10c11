//! Test-time revocation infrastructure on loopback: a root → intermediate → signer PKI whose
//! certificates name a real `openssl ocsp` responder (a child process, killed on drop) and
//! CRLs served by a tiny HTTP server thread, plus PDFs signed with our engine.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use openssl::asn1::{Asn1Object, Asn1OctetString, Asn1Time};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use openssl::x509::{
    X509Builder, X509Crl, X509CrlBuilder, X509Extension, X509NameBuilder, X509RevokedBuilder, X509,
};

use super::{RevocationCache, RevocationMode, RevocationOptions};
use crate::signing::engine::{self, LayoutOverride, SigningKey};
use crate::signing::images;

pub(super) const DAY: i64 = 86_400;

/// `openssl` on the PATH (the responder is the real one).
pub(super) fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("SKIPPED: no openssl binary for the OCSP responder");
    }
    found
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn der_length(length: usize) -> Vec<u8> {
    if length < 0x80 {
        return vec![length as u8];
    }
    let bytes: Vec<u8> = length
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_length(content.len()));
    out.extend_from_slice(content);
    out
}

fn extension(oid: &str, der: &[u8]) -> X509Extension {
    let oid = Asn1Object::from_str(oid).unwrap();
    X509Extension::new_from_der(&oid, false, &Asn1OctetString::new_from_bytes(der).unwrap())
        .unwrap()
}

/// cRLDistributionPoints with one fullName URI (RFC 5280 §4.2.1.13).
fn crl_distribution_point(url: &str) -> X509Extension {
    let uri = tlv(0x86, url.as_bytes());
    let full_name = tlv(0xA0, &uri);
    let point_name = tlv(0xA0, &full_name);
    let point = tlv(0x30, &point_name);
    extension("2.5.29.31", &tlv(0x30, &point))
}

/// authorityInfoAccess with one id-ad-ocsp URI (RFC 5280 §4.2.2.1).
fn ocsp_access(url: &str) -> X509Extension {
    let method = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    let mut description = method.to_vec();
    description.extend(tlv(0x86, url.as_bytes()));
    let access = tlv(0x30, &description);
    extension("1.3.6.1.5.5.7.1.1", &tlv(0x30, &access))
}

pub(super) fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

/// What a certificate carries besides its name and key.
#[derive(Default)]
pub(super) struct Profile<'a> {
    pub ca: bool,
    pub ocsp_signing: bool,
    pub crl_url: Option<&'a str>,
    pub ocsp_url: Option<&'a str>,
}

pub(super) fn certificate(
    cn: &str,
    serial: u32,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    profile: Profile<'_>,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut builder = X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    let serial = BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap();
    builder.set_serial_number(&serial).unwrap();
    builder.set_subject_name(&name).unwrap();
    builder
        .set_issuer_name(issuer.map_or(&name, |(ca, _)| ca.subject_name()))
        .unwrap();
    builder.set_pubkey(key).unwrap();
    let now = Utc::now().timestamp();
    builder
        .set_not_before(&Asn1Time::from_unix(now - 30 * DAY).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_unix(now + 365 * DAY).unwrap())
        .unwrap();
    let mut usage = KeyUsage::new();
    if profile.ca {
        usage.key_cert_sign().crl_sign();
        builder
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    } else {
        usage.digital_signature().non_repudiation();
    }
    builder
        .append_extension(usage.critical().build().unwrap())
        .unwrap();
    if profile.ocsp_signing {
        builder
            .append_extension(
                ExtendedKeyUsage::new()
                    .other("OCSPSigning")
                    .build()
                    .unwrap(),
            )
            .unwrap();
    }
    if let Some(url) = profile.crl_url {
        builder
            .append_extension(crl_distribution_point(url))
            .unwrap();
    }
    if let Some(url) = profile.ocsp_url {
        builder.append_extension(ocsp_access(url)).unwrap();
    }
    builder
        .sign(issuer.map_or(key, |(_, k)| k), MessageDigest::sha256())
        .unwrap();
    builder.build()
}

/// A DER CRL of `issuer` listing `(serial, revoked at)`, valid for a day.
pub(super) fn crl(issuer: &X509, key: &PKey<Private>, revoked: &[(u32, i64)]) -> Vec<u8> {
    let now = Utc::now().timestamp();
    let mut builder = X509CrlBuilder::new().unwrap();
    builder.set_issuer_name(issuer.subject_name()).unwrap();
    builder
        .set_last_update(&Asn1Time::from_unix(now - 3600).unwrap())
        .unwrap();
    builder
        .set_next_update(&Asn1Time::from_unix(now + DAY).unwrap())
        .unwrap();
    // rust-openssl insists on a CRL number and an authorityKeyIdentifier (RFC 5280 §5.2).
    builder
        .append_extension(extension("2.5.29.20", &[0x02, 0x01, 0x01]))
        .unwrap();
    let key_id = openssl::sha::sha1(&issuer.public_key().unwrap().public_key_to_der().unwrap());
    builder
        .append_extension(extension("2.5.29.35", &tlv(0x30, &tlv(0x80, &key_id))))
        .unwrap();
    for (serial, at) in revoked {
        let mut entry = X509RevokedBuilder::new().unwrap();
        entry
            .set_serial_number(
                &BigNum::from_u32(*serial)
                    .unwrap()
                    .to_asn1_integer()
                    .unwrap(),
            )
            .unwrap();
        entry
            .set_revocation_date(&Asn1Time::from_unix(*at).unwrap())
            .unwrap();
        builder.add_revoked(entry.build()).unwrap();
    }
    builder.sign(key, MessageDigest::sha256()).unwrap();
    let crl: X509Crl = builder.build().unwrap();
    crl.to_der().unwrap()
}

/// Serves fixed files over HTTP/1.0 on loopback and counts the requests it answered.
pub(super) struct FileServer {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FileServer {
    pub fn start(listener: TcpListener, files: HashMap<String, Vec<u8>>) -> Self {
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let _ = serve_one(&mut stream, &files);
            }
        });
        Self {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }
}

fn serve_one(stream: &mut TcpStream, files: &HashMap<String, Vec<u8>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&head);
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/');
    match files.get(path) {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.0 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body)
        }
        None => stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `openssl ocsp` answering for the intermediate CA, signing with a delegated responder
/// certificate. Killed when dropped.
pub(super) struct Responder {
    child: Child,
}

impl Responder {
    pub fn start(dir: &Path, port: u16) -> Self {
        let log = dir.join(format!("responder-{port}.log"));
        let output = std::fs::File::create(&log).unwrap();
        let child = Command::new("openssl")
            .current_dir(dir)
            .args(["ocsp", "-index", "index.txt", "-port"])
            .arg(port.to_string())
            .args([
                "-rsigner",
                "responder.pem",
                "-rkey",
                "responder.key",
                "-CA",
                "intermediate.pem",
                "-nmin",
                "60",
                "-ignore_err",
            ])
            .stdin(Stdio::null())
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .expect("openssl ocsp starts");
        let responder = Self { child };
        // It prints ACCEPT once it listens. A probing connection would not do: OpenSSL 3.0's
        // responder with -ignore_err spins forever on a connection closed without a request.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("ACCEPT")
        {
            assert!(
                Instant::now() < deadline,
                "the OCSP responder never listened"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        responder
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One line of `openssl ca`'s index.txt: status, expiry, revocation[,reason], serial, file,
/// subject.
pub(super) fn index_line(serial: u32, revoked: Option<(i64, &str)>) -> String {
    let time = |unix: i64| {
        DateTime::from_timestamp(unix, 0)
            .unwrap()
            .format("%y%m%d%H%M%SZ")
            .to_string()
    };
    let expiry = time(Utc::now().timestamp() + 365 * DAY);
    let (status, revocation) = match revoked {
        Some((at, reason)) => ("R", format!("{},{reason}", time(at))),
        None => ("V", String::new()),
    };
    format!("{status}\t{expiry}\t{revocation}\t{serial:04X}\tunknown\t/CN=Signer {serial}\n")
}

pub(super) fn write_pem(dir: &Path, name: &str, pem: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

/// Layer 1 of the test PDF, signed with `signer` at `signed_at`.
pub(super) fn signed_pdf(signer: &SigningKey, signed_at: DateTime<Utc>) -> Vec<u8> {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pdf/quyet-dinh.pdf"
    ))
    .unwrap();
    let time = signed_at.with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap());
    let png = images::demo_signature_png("Test").unwrap();
    engine::sign_personal(
        input.as_slice(),
        signer,
        &png,
        &LayoutOverride::default(),
        time,
        "test",
    )
    .unwrap()
}

pub(super) fn online(cache: Arc<RevocationCache>) -> RevocationOptions {
    RevocationOptions {
        mode: RevocationMode::Online,
        timeout: Duration::from_secs(3),
        cache,
    }
}

pub(super) fn offline(cache: Arc<RevocationCache>) -> RevocationOptions {
    RevocationOptions {
        mode: RevocationMode::Offline,
        ..online(cache)
    }
}

pub(super) fn fresh() -> Arc<RevocationCache> {
    Arc::new(RevocationCache::in_memory())
}

/// producedAt is the first GeneralizedTime of the response: change one digit of it.
pub(super) fn tamper(response: &[u8]) -> Vec<u8> {
    let mut tampered = response.to_vec();
    let at = tampered
        .windows(2)
        .position(|w| w == [0x18, 0x0F])
        .expect("a GeneralizedTime");
    let digit = at + 2 + 13;
    tampered[digit] = if tampered[digit] == b'0' { b'1' } else { b'0' };
    tampered
}
