//! First start: an empty database gets a demo agency with drafting units, one user per role
//! (printed credentials), and a demo PKI whose certificates are registered and mapped to the
//! demo signers. The credentials are also written to `<data_dir>/demo-credentials.json`
//! (owner-only) so `vanthu init --json` can print them again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::documents::audit_event;
use super::{AppError, AppResult, NewUserRequest, Services};
use crate::db::{
    AgencyRecord, CertificatePurpose, CertificateRecord, DbError, SignerRecord, UnitRecord,
};
use crate::domain::{Confidentiality, Role};
use crate::signing::demo_pki::{self, IssuedCertificate, LeafSubject};

pub const CREDENTIALS_FILE: &str = "demo-credentials.json";

const AGENCY_ORGAN_ID: &str = "000.00.00.H69";
const AGENCY_NAME: &str = "Ủy ban nhân dân tỉnh Bình An";
const AGENCY_ABBREVIATION: &str = "UBND";
const UNITS: [(&str, &str); 5] = [
    ("VP", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("TH", "Phòng Tổng hợp"),
    ("KT", "Phòng Kinh tế"),
    ("VX", "Phòng Văn hóa - Xã hội"),
    ("NC", "Phòng Nội chính"),
];

struct DemoPerson {
    username: &'static str,
    display_name: &'static str,
    role: Role,
    clearance: Confidentiality,
    unit: &'static str,
    /// Position and authority mark for signers.
    signer: Option<(&'static str, &'static str)>,
}

const PEOPLE: [DemoPerson; 6] = [
    DemoPerson {
        username: "vanthu",
        display_name: "Lê Thị Hoa",
        role: Role::Clerk,
        clearance: Confidentiality::Mat,
        unit: "VP",
        signer: None,
    },
    DemoPerson {
        username: "chutich",
        display_name: "Nguyễn Văn An",
        role: Role::Signer,
        clearance: Confidentiality::TuyetMat,
        unit: "VP",
        signer: Some(("Chủ tịch", "TM. ỦY BAN NHÂN DÂN")),
    },
    DemoPerson {
        username: "phochutich",
        display_name: "Trần Thị Bình",
        role: Role::Signer,
        clearance: Confidentiality::ToiMat,
        unit: "VP",
        signer: Some(("Phó Chủ tịch", "KT. CHỦ TỊCH")),
    },
    DemoPerson {
        username: "chuyenvien",
        display_name: "Phạm Minh Châu",
        role: Role::Staff,
        clearance: Confidentiality::None,
        unit: "TH",
        signer: None,
    },
    DemoPerson {
        username: "kiemtoan",
        display_name: "Hoàng Văn Dũng",
        role: Role::Auditor,
        clearance: Confidentiality::None,
        unit: "TH",
        signer: None,
    },
    DemoPerson {
        username: "quantri",
        display_name: "Đỗ Quang Huy",
        role: Role::Admin,
        clearance: Confidentiality::None,
        unit: "VP",
        signer: None,
    },
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCredentials {
    pub data_dir: PathBuf,
    pub agency: DemoAgency,
    pub users: Vec<DemoUser>,
    /// Role → API token of the first demo user with that role.
    pub tokens: BTreeMap<String, String>,
    pub pki: DemoPkiFiles,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoAgency {
    pub organ_id: String,
    pub name: String,
    pub abbreviation: String,
    pub units: Vec<DemoUnit>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoUnit {
    pub abbreviation: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub clearance: Confidentiality,
    pub password: String,
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoPkiFiles {
    pub root_ca: PathBuf,
    pub issuing_ca: PathBuf,
    pub chain: PathBuf,
    pub passphrase_file: PathBuf,
    pub organization_pkcs12: PathBuf,
    pub signers: BTreeMap<String, PathBuf>,
}

#[derive(Debug)]
pub enum BootstrapOutcome {
    /// This call created the demo data.
    Created(Box<DemoCredentials>),
    /// The database already had an agency; the demo credentials are returned when this node
    /// has them on disk.
    AlreadyInitialized(Option<Box<DemoCredentials>>),
}

pub async fn ensure_initialized(
    services: &Services,
    data_dir: &Path,
    pki_dir: &Path,
) -> AppResult<BootstrapOutcome> {
    if !services.store.list_agencies().await?.is_empty() {
        return Ok(BootstrapOutcome::AlreadyInitialized(
            read_credentials(data_dir).map(Box::new),
        ));
    }
    let agency = AgencyRecord {
        id: Uuid::now_v7(),
        organ_id: AGENCY_ORGAN_ID.to_owned(),
        name: AGENCY_NAME.to_owned(),
        abbreviation: AGENCY_ABBREVIATION.to_owned(),
        seal_image_sha256: None,
        created_at: Utc::now(),
    };
    match services.store.insert_agency(&agency).await {
        Ok(()) => {}
        // Another node sharing the database won the race to initialise it.
        Err(DbError::Conflict(_)) => return Ok(BootstrapOutcome::AlreadyInitialized(None)),
        Err(other) => return Err(other.into()),
    }
    for (abbreviation, name) in UNITS {
        let unit = UnitRecord {
            id: Uuid::now_v7(),
            agency_id: agency.id,
            abbreviation: abbreviation.into(),
            name: name.into(),
            created_at: Utc::now(),
        };
        services.store.insert_unit(&unit).await?;
    }
    let users = create_people(services).await?;
    let pki = create_pki(services, &agency, pki_dir).await?;
    let seal = demo_image(services, agency.name.to_uppercase(), |name| {
        crate::signing::images::demo_seal_png(
            &name,
            crate::signing::images::system_bold_serif().as_deref(),
        )
    })
    .await?;
    services.store.set_agency_seal(agency.id, &seal).await?;
    let credentials = DemoCredentials {
        data_dir: data_dir.to_path_buf(),
        agency: DemoAgency {
            organ_id: agency.organ_id.clone(),
            name: agency.name.clone(),
            abbreviation: agency.abbreviation.clone(),
            units: UNITS
                .iter()
                .map(|(a, n)| DemoUnit {
                    abbreviation: (*a).into(),
                    name: (*n).into(),
                })
                .collect(),
        },
        tokens: first_token_per_role(&users),
        users,
        pki,
    };
    write_credentials(data_dir, &credentials)?;
    services
        .store
        .append_audit_event(&audit_event(
            None,
            "system.initialized",
            None,
            json!({"organ_id": agency.organ_id}),
        ))
        .await?;
    Ok(BootstrapOutcome::Created(Box::new(credentials)))
}

async fn create_people(services: &Services) -> AppResult<Vec<DemoUser>> {
    let mut users = Vec::with_capacity(PEOPLE.len());
    for person in &PEOPLE {
        let request = NewUserRequest {
            username: person.username.into(),
            display_name: person.display_name.into(),
            role: person.role,
            clearance: person.clearance,
            organ_id: None,
            unit: Some(person.unit.into()),
            password: None,
        };
        let (view, password) = services.create_user(request).await?;
        let token = services
            .create_api_token(person.username, "demo", None)
            .await?;
        users.push(DemoUser {
            username: view.username,
            display_name: view.display_name,
            role: view.role,
            clearance: view.clearance,
            password,
            token: token.token,
        });
    }
    Ok(users)
}

async fn create_pki(
    services: &Services,
    agency: &AgencyRecord,
    pki_dir: &Path,
) -> AppResult<DemoPkiFiles> {
    let mut leaves = vec![LeafSubject {
        file_stem: "organization".into(),
        common_name: agency.name.clone(),
        organization: agency.name.clone(),
        organizational_unit: None,
        title: None,
    }];
    for person in PEOPLE.iter().filter(|p| p.signer.is_some()) {
        leaves.push(LeafSubject {
            file_stem: format!("signer-{}", person.username),
            common_name: person.display_name.into(),
            organization: agency.name.clone(),
            organizational_unit: Some("Văn phòng".into()),
            title: person.signer.map(|(position, _)| position.to_owned()),
        });
    }
    let passphrase = crate::auth::generate_password();
    let dir = pki_dir.to_path_buf();
    let pki = crate::blocking::run(move || demo_pki::generate(&dir, &passphrase, &leaves))
        .await?
        .map_err(|e| AppError::Internal(format!("demo PKI: {e}")))?;
    let mut signers = BTreeMap::new();
    for leaf in &pki.leaves {
        let purpose = if leaf.file_stem == "organization" {
            CertificatePurpose::Organization
        } else {
            CertificatePurpose::Personal
        };
        let certificate_id = register_certificate(services, agency, leaf, purpose).await?;
        let Some(username) = leaf.file_stem.strip_prefix("signer-") else {
            continue;
        };
        let person = PEOPLE
            .iter()
            .find(|p| p.username == username)
            .and_then(|p| p.signer);
        let user = services
            .store
            .find_user_by_username(username)
            .await?
            .ok_or(AppError::NotFound("demo signer"))?;
        let (position, mark) = person.unwrap_or(("", ""));
        let image = demo_image(services, user.display_name.clone(), |name| {
            crate::signing::images::demo_signature_png(&name)
        })
        .await?;
        let signer = SignerRecord {
            id: Uuid::now_v7(),
            user_id: user.id,
            certificate_id,
            position: position.into(),
            authority_mark: Some(mark.into()),
            signature_image_sha256: Some(image),
            active: true,
            created_at: Utc::now(),
        };
        services.store.insert_signer(&signer).await?;
        signers.insert(username.to_owned(), leaf.pkcs12_path.clone());
    }
    Ok(DemoPkiFiles {
        root_ca: pki.root_pem_path,
        issuing_ca: pki.issuing_pem_path,
        chain: pki.chain_pem_path,
        passphrase_file: pki.passphrase_path,
        organization_pkcs12: pki_dir.join("organization.p12"),
        signers,
    })
}

async fn register_certificate(
    services: &Services,
    agency: &AgencyRecord,
    leaf: &IssuedCertificate,
    purpose: CertificatePurpose,
) -> AppResult<Uuid> {
    let record = CertificateRecord {
        id: Uuid::now_v7(),
        agency_id: agency.id,
        purpose,
        subject: leaf.subject.clone(),
        issuer: leaf.issuer.clone(),
        serial_hex: leaf.serial_hex.clone(),
        sha256_fingerprint: leaf.sha256_fingerprint.clone(),
        pem: leaf.pem.clone(),
        not_before: leaf.not_before,
        not_after: leaf.not_after,
        // Demo keys are server-held; the file lives in the PKI dir.
        pkcs12_path: leaf
            .pkcs12_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        created_at: Utc::now(),
    };
    services.store.insert_certificate(&record).await?;
    Ok(record.id)
}

/// Draws a demo image off the runtime and stores it; returns its content hash.
async fn demo_image(
    services: &Services,
    text: String,
    draw: impl FnOnce(String) -> Result<Vec<u8>, crate::signing::images::ImageError> + Send + 'static,
) -> AppResult<String> {
    let png = crate::blocking::run(move || draw(text))
        .await?
        .map_err(|e| AppError::Internal(format!("demo image: {e}")))?;
    let stored = services.blobs.put_blob(bytes::Bytes::from(png)).await?;
    Ok(stored.hash.to_hex())
}

fn first_token_per_role(users: &[DemoUser]) -> BTreeMap<String, String> {
    let mut tokens = BTreeMap::new();
    for user in users {
        tokens
            .entry(user.role.as_str().to_owned())
            .or_insert_with(|| user.token.clone());
    }
    tokens
}

fn write_credentials(data_dir: &Path, credentials: &DemoCredentials) -> AppResult<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = data_dir.join(CREDENTIALS_FILE);
    let text =
        serde_json::to_string_pretty(credentials).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| AppError::Internal(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(|e| AppError::Internal(format!("cannot write {}: {e}", path.display())))
}

pub fn read_credentials(data_dir: &Path) -> Option<DemoCredentials> {
    let text = std::fs::read_to_string(data_dir.join(CREDENTIALS_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}
