//! Text normalisation shared by indexing and querying. tantivy has no Unicode normalisation
//! filter, and text in decomposed form (NFD) splits Vietnamese words at every combining mark,
//! so everything is put in NFC before it reaches an analyser.

use unicode_normalization::UnicodeNormalization;

/// Unicode NFC: "hòa" typed with a combining grave accent becomes the precomposed letter.
pub fn normalize_nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Removes Vietnamese tone and vowel marks and maps đ/Đ (and the look-alike Ð) to d/D, so
/// "Quyết định" and "Quyet dinh" compare equal.
pub fn fold_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' | 'Ð' => 'D',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_combining_marks() {
        let decomposed = "Quye\u{0302}\u{0301}t";
        assert_eq!(normalize_nfc(decomposed), "Quyết");
    }

    #[test]
    fn folding_removes_all_vietnamese_marks_and_d_stroke() {
        assert_eq!(
            fold_diacritics("Cải cách hành chính Đà Nẵng, Ðồng"),
            "Cai cach hanh chinh Da Nang, Dong"
        );
    }
}
