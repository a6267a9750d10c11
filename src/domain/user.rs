use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ParseError;

/// What a user does in the agency. Permissions follow from the role alone, in [`Role::may`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Signer,
    Staff,
    Auditor,
    Admin,
}

/// Everything the API and CLI let a user do. Role checks happen only through [`Role::may`],
/// so the whole permission matrix reads in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RegisterDraft,
    ReadDocuments,
    DownloadDocumentFile,
    ManageUsers,
    ReadOwnProfile,
    /// Choose the competent person who signs a draft.
    AssignSigner,
    /// Apply the personal signature (layer 1) to a draft assigned to oneself.
    SignPersonal,
    /// Take a number from the register and apply the agency signature (layer 2).
    IssueDocument,
    /// Revoke an issued document or issue a correction.
    RevokeDocument,
    /// Read and export the outgoing register.
    ReadRegister,
    /// Check the audit log's hash chain.
    VerifyAuditLog,
    /// See the exemption rules in force.
    ViewRules,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Clerk,
        Role::Signer,
        Role::Staff,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadOwnProfile => true,
            RegisterDraft => matches!(self, Clerk),
            // Reading is scoped by agency and clearance elsewhere; admins manage the system and
            // do not read documents.
            ReadDocuments | DownloadDocumentFile => {
                matches!(self, Clerk | Signer | Staff | Auditor)
            }
            ManageUsers => matches!(self, Admin),
            AssignSigner | IssueDocument | RevokeDocument => matches!(self, Clerk),
            SignPersonal => matches!(self, Signer),
            ReadRegister => matches!(self, Clerk | Auditor),
            VerifyAuditLog => matches!(self, Auditor | Admin),
            ViewRules => matches!(self, Clerk | Auditor | Admin),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Signer => "signer",
            Role::Staff => "staff",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| {
                ParseError::new(
                    "role",
                    format!("'{raw}' is not one of clerk, signer, staff, auditor, admin"),
                )
            })
    }
}

/// A login name: 3 to 64 characters of lower-case ASCII letters, digits, '.', '_' or '-',
/// starting with a letter, so it is safe in URLs, logs and shell scripts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        let starts_with_letter = raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if !(3..=64).contains(&raw.len()) || !valid_chars || !starts_with_letter {
            return Err(ParseError::new(
                "username",
                format!(
                    "'{raw}' must be 3-64 lower-case letters, digits, '.', '_' or '-', starting with a letter"
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clerks_register_drafts_and_only_admins_manage_users() {
        for role in Role::ALL {
            assert_eq!(role.may(Action::RegisterDraft), role == Role::Clerk);
            assert_eq!(role.may(Action::ManageUsers), role == Role::Admin);
            assert_eq!(role.may(Action::SignPersonal), role == Role::Signer);
            assert_eq!(role.may(Action::IssueDocument), role == Role::Clerk);
            assert!(role.may(Action::ReadOwnProfile));
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn usernames_are_plain_ascii() {
        assert!(Username::parse("van.thu-01").is_ok());
        for bad in ["ab", "Admin", "1abc", "nguyễn", "a b c"] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }
}
