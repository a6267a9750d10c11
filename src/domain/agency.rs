use std::fmt;

use super::ParseError;

/// The 13-character electronic identifier of an agency (mã định danh, e.g. `000.00.00.G22`):
/// four dot-separated groups of 3, 2, 2 and 3 characters. The first three groups are digits,
/// the last group is upper-case letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyId(String);

impl AgencyId {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let error = || {
            ParseError::new(
                "organ_id",
                format!("'{raw}' is not a 13-character agency identifier like 000.00.00.G22"),
            )
        };
        let groups: Vec<&str> = raw.split('.').collect();
        let lengths_ok = raw.len() == 13
            && groups.len() == 4
            && groups.iter().map(|g| g.len()).eq([3usize, 2, 2, 3]);
        if !lengths_ok {
            return Err(error());
        }
        let digits_ok = groups[..3]
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        let last_ok = groups[3]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !(digits_ok && last_ok) {
            return Err(error());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An abbreviation used in document notations: an agency's (`UBND`, `SNV`) or a drafting
/// unit's (`VX`, `TH`). Upper-case letters (Vietnamese Đ included) and digits, no separators,
/// because `/` and `-` delimit the groups of a notation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Abbreviation(String);

impl Abbreviation {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ParseError> {
        let length = raw.chars().count();
        if !(1..=12).contains(&length) {
            return Err(ParseError::new(field, "must have 1 to 12 characters"));
        }
        if !raw.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) {
            return Err(ParseError::new(
                field,
                format!("'{raw}' must be upper-case letters and digits only, like UBND or VX"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Abbreviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_identifiers_follow_the_three_two_two_three_pattern() {
        assert!(AgencyId::parse("000.00.00.G22").is_ok());
        assert!(AgencyId::parse("000.00.00.H99").is_ok());
        for bad in [
            "000.00.00.g22",
            "00.000.00.G22",
            "000.00.00.G2",
            "000-00-00-G22",
            "",
        ] {
            assert!(AgencyId::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn abbreviations_refuse_separators_and_lower_case() {
        assert!(Abbreviation::parse("unit", "UBND").is_ok());
        assert!(Abbreviation::parse("unit", "ĐHQG").is_ok());
        assert!(Abbreviation::parse("unit", "UB-ND").is_err());
        assert!(Abbreviation::parse("unit", "vx").is_err());
        assert!(Abbreviation::parse("unit", "").is_err());
    }
}
