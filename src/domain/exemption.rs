//! The confidential-document exemption as a rule set, not an if-statement (domain.md §5).
//! Rules are data (a versioned JSON file whose schema is in `schemas/json/`); the first rule
//! whose conditions match a document decides, and its id is stored with the document so an
//! auditor can see why it was not counted.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Confidentiality, DocumentType, ParseError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vanthu exemption rules, version 1")]
pub struct RuleSet {
    /// Format version of this file; 1.
    pub version: u32,
    /// Evaluated in order; the first match decides.
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier stored with each decision, e.g. `state-secret.tuyet-mat`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]{1,63}$"))]
    pub id: String,
    pub description: String,
    pub when: Condition,
    pub decision: Decision,
}

/// Every non-empty list must contain the document's value; empty lists match anything.
#[derive(
    Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confidentiality: Vec<Confidentiality>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_types: Vec<DocumentType>,
    /// Issuing agencies the rule applies to (OrganId); empty = every agency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organ_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Not counted in the two-layer compliance denominator.
    pub exempt_from_two_layer: bool,
    /// Which number sequence of the outgoing register the document takes.
    pub sequence: Sequence,
    /// Whether the document's file may be uploaded to this (networked) system.
    pub file: FilePolicy,
    pub summary: SummaryPolicy,
    /// May enter full-text search, previews, exports and inter-agency packets.
    pub circulates: bool,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Sequence {
    Regular,
    Confidential,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FilePolicy {
    /// The PDF is required (it will be signed).
    Required,
    /// Register stub only; an upload is refused.
    Refused,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SummaryPolicy {
    Keep,
    /// The trích yếu is not stored unless the classifier approved it.
    WithholdUnlessApproved,
    Withhold,
}

/// A decision with the rule that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecision<'a> {
    pub rule_id: &'a str,
    pub decision: &'a Decision,
}

impl Condition {
    fn matches(&self, level: Confidentiality, document_type: DocumentType, organ_id: &str) -> bool {
        (self.confidentiality.is_empty() || self.confidentiality.contains(&level))
            && (self.document_types.is_empty() || self.document_types.contains(&document_type))
            && (self.organ_ids.is_empty() || self.organ_ids.iter().any(|o| o == organ_id))
    }
}

impl RuleSet {
    /// Checks what the JSON Schema cannot: a known version, unique ids, at least one rule, and
    /// a last rule that matches everything (so every document gets a decision).
    pub fn validate(&self) -> Result<(), ParseError> {
        let problem = |message: String| Err(ParseError::new("rules", message));
        if self.version != 1 {
            return problem(format!(
                "version {} is not supported (expected 1)",
                self.version
            ));
        }
        let mut ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
            return problem(format!("the rule id '{}' is used twice", pair[0]));
        }
        match self.rules.last() {
            None => problem("there must be at least one rule".into()),
            Some(last) if last.when != Condition::default() => problem(format!(
                "the last rule '{}' must match every document (empty 'when')",
                last.id
            )),
            Some(_) => Ok(()),
        }
    }

    pub fn decide(
        &self,
        level: Confidentiality,
        document_type: DocumentType,
        organ_id: &str,
    ) -> Option<RuleDecision<'_>> {
        self.rules
            .iter()
            .find(|rule| rule.when.matches(level, document_type, organ_id))
            .map(|rule| RuleDecision {
                rule_id: &rule.id,
                decision: &rule.decision,
            })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id == id)
    }

    /// The built-in rules (domain.md §5): state secrets are exempt, numbered in their own
    /// sequence, kept as stubs without a file, never circulated; a TUYỆT MẬT summary is
    /// withheld unless the classifier approved it.
    pub fn defaults() -> RuleSet {
        let secret = |summary| Decision {
            exempt_from_two_layer: true,
            sequence: Sequence::Confidential,
            file: FilePolicy::Refused,
            summary,
            circulates: false,
        };
        RuleSet {
            version: 1,
            rules: vec![
                Rule {
                    id: "state-secret.tuyet-mat".into(),
                    description: "TUYỆT MẬT: exempt; confidential sequence; register stub only; summary withheld unless approved by the classifier".into(),
                    when: Condition { confidentiality: vec![Confidentiality::TuyetMat], ..Default::default() },
                    decision: secret(SummaryPolicy::WithholdUnlessApproved),
                },
                Rule {
                    id: "state-secret.mat-toi-mat".into(),
                    description: "MẬT and TỐI MẬT: exempt; confidential sequence; register stub only".into(),
                    when: Condition { confidentiality: vec![Confidentiality::Mat, Confidentiality::ToiMat], ..Default::default() },
                    decision: secret(SummaryPolicy::Keep),
                },
                Rule {
                    id: "regular".into(),
                    description: "Every other outgoing document: two-layer digital signature required".into(),
                    when: Condition::default(),
                    decision: Decision { exempt_from_two_layer: false, sequence: Sequence::Regular, file: FilePolicy::Required, summary: SummaryPolicy::Keep, circulates: true },
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_exempt_state_secrets_only() {
        let rules = RuleSet::defaults();
        rules.validate().unwrap();
        let decide = |level| {
            rules
                .decide(level, DocumentType::QuyetDinh, "000.00.00.H69")
                .unwrap()
        };
        assert_eq!(
            decide(Confidentiality::TuyetMat).rule_id,
            "state-secret.tuyet-mat"
        );
        assert_eq!(
            decide(Confidentiality::Mat).rule_id,
            "state-secret.mat-toi-mat"
        );
        assert!(
            decide(Confidentiality::ToiMat)
                .decision
                .exempt_from_two_layer
        );
        let regular = decide(Confidentiality::None);
        assert_eq!(regular.rule_id, "regular");
        assert!(!regular.decision.exempt_from_two_layer && regular.decision.circulates);
    }

    #[test]
    fn an_agency_rule_for_a_paper_only_type_comes_first() {
        let mut rules = RuleSet::defaults();
        rules.rules.insert(
            0,
            Rule {
                id: "paper-only.cong-dien".into(),
                description: "Công điện is issued on paper only in this agency".into(),
                when: Condition {
                    document_types: vec![DocumentType::CongDien],
                    organ_ids: vec!["000.00.00.H69".into()],
                    ..Default::default()
                },
                decision: Decision {
                    exempt_from_two_layer: true,
                    sequence: Sequence::Regular,
                    file: FilePolicy::Refused,
                    summary: SummaryPolicy::Keep,
                    circulates: true,
                },
            },
        );
        rules.validate().unwrap();
        assert_eq!(
            rules
                .decide(
                    Confidentiality::None,
                    DocumentType::CongDien,
                    "000.00.00.H69"
                )
                .unwrap()
                .rule_id,
            "paper-only.cong-dien"
        );
        assert_eq!(
            rules
                .decide(
                    Confidentiality::None,
                    DocumentType::CongDien,
                    "000.00.00.G22"
                )
                .unwrap()
                .rule_id,
            "regular"
        );
    }

    #[test]
    fn invalid_rule_sets_are_explained() {
        let mut rules = RuleSet::defaults();
        rules.rules.push(rules.rules[0].clone());
        assert!(rules
            .validate()
            .unwrap_err()
            .to_string()
            .contains("used twice"));
        let mut rules = RuleSet::defaults();
        rules.rules.pop();
        assert!(rules
            .validate()
            .unwrap_err()
            .to_string()
            .contains("must match every document"));
    }
}
