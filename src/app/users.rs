//! Users, logins and API tokens. The CLI acts as the machine's operator (no actor); the HTTP
//! API acts for an authenticated admin. Both go through the same functions.

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::documents::{audit_event, require};
use super::views::UserView;
use super::{AppError, AppResult, Services};
use crate::auth;
use crate::db::{AgencyRecord, DbError, TokenKind, TokenRecord, UserRecord};
use crate::domain::{Action, AgencyId, Confidentiality, Role, Username};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default = "no_clearance")]
    pub clearance: Confidentiality,
    /// Agency of the user; defaults to the only agency when there is just one.
    #[serde(default)]
    pub organ_id: Option<String>,
    /// Abbreviation of the user's unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// Initial password; generated when absent.
    #[serde(default)]
    pub password: Option<String>,
}

fn no_clearance() -> Confidentiality {
    Confidentiality::None
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenCreated {
    pub id: Uuid,
    /// The bearer token. Shown once; only its hash is stored.
    pub token: String,
    pub expires_at: Option<chrono::DateTime<Utc>>,
    pub user: UserView,
}

impl Services {
    /// The live user behind a bearer token.
    pub async fn authenticate(&self, token: &str) -> AppResult<UserRecord> {
        let hash = auth::hash_token(token);
        match self.store.find_live_token(&hash, Utc::now()).await? {
            Some((_, user)) => Ok(user),
            None => Err(AppError::Unauthenticated(
                "the token is unknown, revoked or expired".into(),
            )),
        }
    }

    /// Checks a password and opens a session token valid for the configured hours.
    pub async fn login(&self, username: &str, password: &str) -> AppResult<TokenCreated> {
        let refused = || AppError::Unauthenticated("wrong username or password".into());
        let user = self
            .store
            .find_user_by_username(username)
            .await?
            .filter(|u| u.active);
        let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let password = password.to_owned();
        // Verify even for unknown users (against a dummy hash) so timing does not reveal
        // which usernames exist.
        let ok = crate::blocking::run(move || match stored_hash {
            Some(hash) => auth::verify_password(&password, &hash),
            None => {
                let _ = auth::verify_password(&password, DUMMY_HASH);
                false
            }
        })
        .await?;
        let user = user.filter(|_| ok).ok_or_else(refused)?;
        let expires = Utc::now() + Duration::hours(i64::from(self.limits.session_hours));
        let created = self
            .issue_token(&user, TokenKind::Session, "login", Some(expires))
            .await?;
        self.store
            .append_audit_event(&audit_event(Some(&user), "user.logged_in", None, json!({})))
            .await?;
        Ok(created)
    }

    pub async fn create_api_token(
        &self,
        username: &str,
        name: &str,
        valid_days: Option<u32>,
    ) -> AppResult<TokenCreated> {
        let user = self.user_by_name(username).await?;
        let expires = valid_days.map(|d| Utc::now() + Duration::days(i64::from(d)));
        self.issue_token(&user, TokenKind::Api, name, expires).await
    }

    async fn issue_token(
        &self,
        user: &UserRecord,
        kind: TokenKind,
        name: &str,
        expires_at: Option<chrono::DateTime<Utc>>,
    ) -> AppResult<TokenCreated> {
        let (token, token_hash) = auth::generate_token();
        let record = TokenRecord {
            id: Uuid::now_v7(),
            user_id: user.id,
            kind,
            name: name.to_owned(),
            token_hash,
            created_at: Utc::now(),
            expires_at,
            revoked_at: None,
        };
        self.store.insert_token(&record).await?;
        Ok(TokenCreated {
            id: record.id,
            token,
            expires_at,
            user: self.user_view(user).await?,
        })
    }

    pub async fn revoke_token(&self, id: Uuid) -> AppResult<()> {
        match self.store.revoke_token(id, Utc::now()).await {
            Ok(()) => Ok(()),
            Err(DbError::NotFound) => Err(AppError::NotFound("live token")),
            Err(other) => Err(other.into()),
        }
    }

    /// Ends the session whose token is presented.
    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let hash = auth::hash_token(token);
        let (record, _) = self
            .store
            .find_live_token(&hash, Utc::now())
            .await?
            .ok_or_else(|| {
                AppError::Unauthenticated("the token is unknown, revoked or expired".into())
            })?;
        self.revoke_token(record.id).await
    }

    pub async fn create_user_as(
        &self,
        actor: &UserRecord,
        request: NewUserRequest,
    ) -> AppResult<(UserView, String)> {
        require(actor, Action::ManageUsers)?;
        let created = self.create_user(request).await?;
        let event = audit_event(
            Some(actor),
            "user.created",
            None,
            json!({"username": created.0.username, "role": created.0.role}),
        );
        self.store.append_audit_event(&event).await?;
        Ok(created)
    }

    /// Creates a user; returns the view and the (given or generated) initial password.
    pub async fn create_user(&self, request: NewUserRequest) -> AppResult<(UserView, String)> {
        let invalid = |e: crate::domain::ParseError| AppError::InvalidMetadata(e.to_string());
        let username = Username::parse(&request.username).map_err(invalid)?;
        let display_name = request.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(AppError::InvalidMetadata(
                "display_name: must have 1 to 200 characters".into(),
            ));
        }
        let agency = self
            .agency_for_new_user(request.organ_id.as_deref())
            .await?;
        let unit_id = match &request.unit {
            None => None,
            Some(abbreviation) => Some(
                self.store
                    .find_unit(agency.id, abbreviation)
                    .await?
                    .ok_or_else(|| {
                        AppError::UnknownUnit(format!("the agency has no unit '{abbreviation}'"))
                    })?
                    .id,
            ),
        };
        let password = request.password.unwrap_or_else(auth::generate_password);
        if password.chars().count() < 10 {
            return Err(AppError::InvalidMetadata(
                "password: must have at least 10 characters".into(),
            ));
        }
        let for_hash = password.clone();
        let password_hash = crate::blocking::run(move || auth::hash_password(&for_hash))
            .await?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let user = UserRecord {
            id: Uuid::now_v7(),
            username: username.as_str().to_owned(),
            display_name: display_name.to_owned(),
            password_hash: Some(password_hash),
            role: request.role,
            clearance: request.clearance,
            agency_id: agency.id,
            unit_id,
            active: true,
            created_at: Utc::now(),
        };
        self.store.insert_user(&user).await?;
        Ok((self.user_view(&user).await?, password))
    }

    pub async fn list_users_as(&self, actor: &UserRecord) -> AppResult<Vec<UserView>> {
        require(actor, Action::ManageUsers)?;
        self.list_users().await
    }

    pub async fn list_users(&self) -> AppResult<Vec<UserView>> {
        let users = self.store.list_users().await?;
        let mut views = Vec::with_capacity(users.len());
        for user in &users {
            views.push(self.user_view(user).await?);
        }
        Ok(views)
    }

    pub async fn set_user_role(&self, username: &str, role: Role) -> AppResult<()> {
        let user = self.user_by_name(username).await?;
        self.store.set_user_role(user.id, role).await?;
        Ok(())
    }

    pub async fn set_user_password(&self, username: &str, password: &str) -> AppResult<()> {
        if password.chars().count() < 10 {
            return Err(AppError::InvalidMetadata(
                "password: must have at least 10 characters".into(),
            ));
        }
        let user = self.user_by_name(username).await?;
        let password = password.to_owned();
        let hash = crate::blocking::run(move || auth::hash_password(&password))
            .await?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.store.set_user_password_hash(user.id, &hash).await?;
        Ok(())
    }

    pub async fn user_view(&self, user: &UserRecord) -> AppResult<UserView> {
        let agency = self.store.get_agency(user.agency_id).await?;
        let unit = match user.unit_id {
            Some(id) => self
                .store
                .list_units(agency.id)
                .await?
                .into_iter()
                .find(|u| u.id == id),
            None => None,
        };
        Ok(UserView::build(user, &agency, unit.as_ref()))
    }

    async fn user_by_name(&self, username: &str) -> AppResult<UserRecord> {
        self.store
            .find_user_by_username(username)
            .await?
            .ok_or(AppError::NotFound("user"))
    }

    async fn agency_for_new_user(&self, organ_id: Option<&str>) -> AppResult<AgencyRecord> {
        if let Some(raw) = organ_id {
            let id = AgencyId::parse(raw).map_err(|e| AppError::InvalidMetadata(e.to_string()))?;
            return self
                .store
                .find_agency_by_organ_id(id.as_str())
                .await?
                .ok_or_else(|| {
                    AppError::UnknownAgency(format!("no agency has the identifier {id}"))
                });
        }
        let mut agencies = self.store.list_agencies().await?;
        match agencies.len() {
            1 => Ok(agencies.remove(0)),
            0 => Err(AppError::UnknownAgency(
                "no agency exists yet: run `vanthu init`".into(),
            )),
            _ => Err(AppError::InvalidMetadata(
                "organ_id: several agencies exist; name one".into(),
            )),
        }
    }
}

/// An argon2id hash of a random string, used to spend the same time on unknown usernames.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Lx2wG3cQm2m8yY0vJ3m1q3x0o2u0x9bqPq0Xr2kq1W8";
