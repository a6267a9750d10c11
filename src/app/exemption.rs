//! Loading and showing the exemption rules. The file is validated against the committed JSON
//! Schema, then semantically (`RuleSet::validate`); a bad file stops the service at start
//! with a message naming the problem, rather than silently falling back.

use std::path::Path;

use super::documents::require;
use super::{AppError, AppResult, Services};
use crate::db::UserRecord;
use crate::domain::exemption::RuleSet;
use crate::domain::Action;

const COMMITTED_SCHEMA: &str = include_str!("../../schemas/json/exemption-rules.v1.schema.json");

/// The JSON Schema generated from [`RuleSet`] (what `schemas/json/` must contain).
pub fn exemption_rules_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RuleSet)).unwrap_or_default()
}

/// The built-in rules, as the golden example file holds them.
pub fn default_rules_json() -> serde_json::Value {
    serde_json::to_value(RuleSet::defaults()).unwrap_or_default()
}

/// Reads `path` (or takes the built-in defaults) and checks it.
pub fn load_rules(path: Option<&Path>) -> AppResult<RuleSet> {
    let Some(path) = path else {
        return Ok(RuleSet::defaults());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::InvalidMetadata(format!(
            "cannot read the rules file {}: {e}",
            path.display()
        ))
    })?;
    parse_rules(&text).map_err(|e| AppError::InvalidMetadata(format!("{}: {e}", path.display())))
}

pub fn parse_rules(text: &str) -> Result<RuleSet, String> {
    let instance: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let schema: serde_json::Value = serde_json::from_str(COMMITTED_SCHEMA)
        .map_err(|e| format!("committed schema is invalid: {e}"))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| format!("committed schema is invalid: {e}"))?;
    let problems: Vec<String> = validator
        .iter_errors(&instance)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    if !problems.is_empty() {
        return Err(format!(
            "does not match the rules schema: {}",
            problems.join("; ")
        ));
    }
    let rules: RuleSet = serde_json::from_value(instance).map_err(|e| e.to_string())?;
    rules.validate().map_err(|e| e.to_string())?;
    Ok(rules)
}

impl Services {
    pub fn exemption_rules(&self, actor: &UserRecord) -> AppResult<RuleSet> {
        require(actor, Action::ViewRules)?;
        Ok((*self.rules).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_their_own_schema() {
        let text = default_rules_json().to_string();
        assert_eq!(parse_rules(&text).unwrap(), RuleSet::defaults());
    }

    #[test]
    fn schema_and_semantic_problems_are_reported() {
        let error = parse_rules(r#"{"version": 1, "rules": [{"id": "x", "description": "", "when": {"colour": "red"}, "decision": {}}]}"#).unwrap_err();
        assert!(error.contains("schema"), "{error}");
        let mut rules = RuleSet::defaults();
        rules.version = 2;
        let error = parse_rules(&serde_json::to_string(&rules).unwrap()).unwrap_err();
        assert!(error.contains("version 2"), "{error}");
    }
}
