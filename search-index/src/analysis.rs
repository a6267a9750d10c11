//! Text normalisation shared by indexing and querying. tantivy has no Unicode normalisation
//! filter, and text in decomposed form (NFD) splits Vietnamese words at every combining mark,
//! so everything is put in NFC before it reaches an analyser.
//!
//! Three analysers are registered on the index:
//!
//! * `vi_exact` — syllables, lower-cased, diacritics kept, tone marks moved to one canonical
//!   vowel (`hòa`/`hoà` → `hoà`) and the look-alike `ð` read as `đ`;
//! * `vi_fold` — syllables, lower-cased, every diacritic removed, `đ` → `d` (tantivy's
//!   `AsciiFoldingFilter` folds all precomposed Vietnamese letters once the text is NFC);
//! * `vi_bigram` — pairs of adjacent syllables (`cai_cach`, `cach_hanh`, …), folded, never across
//!   punctuation except the `/` and `-` inside document numbers. A conjunction of bigrams matches
//!   almost exactly what a phrase query matches, at a fraction of the cost.

use std::sync::LazyLock;

use regex::Regex;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use unicode_normalization::UnicodeNormalization;

use crate::syllable::canonical_tone_placement;

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
            'đ' | 'ð' => 'd',
            'Đ' | 'Ð' => 'D',
            other => other,
        })
        .collect()
}

/// What every text goes through before it is indexed: NFC, then legacy-encoding repair
/// (TCVN3/VNI text extracted from old PDFs).
pub(crate) fn prepare_text(text: &str) -> String {
    let nfc = normalize_nfc(text);
    match crate::legacy::detect_legacy_encoding(&nfc) {
        Some(encoding) => crate::legacy::convert_legacy(&nfc, encoding),
        None => nfc,
    }
}

pub(crate) const EXACT: &str = "vi_exact";
pub(crate) const FOLD: &str = "vi_fold";
pub(crate) const BIGRAM: &str = "vi_bigram";

pub(crate) fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(VietnameseToneFilter)
        .build()
}

pub(crate) fn fold_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn bigram_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SyllableBigramTokenizer)
        .filter(RemoveLongFilter::limit(80))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn register_analyzers(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(EXACT, exact_analyzer());
    manager.register(FOLD, fold_analyzer());
    manager.register(BIGRAM, bigram_analyzer());
}

/// Runs an analyser and collects `(text, byte range)` of each token.
pub(crate) fn tokens(
    analyzer: &mut TextAnalyzer,
    text: &str,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        out.push((token.text.clone(), token.offset_from..token.offset_to));
    }
    out
}

/// Moves tone marks to their canonical vowel and reads `ð` (U+00F0, the lower case of the
/// look-alike `Ð` that PDFs carry in place of `Đ`) as `đ`. Runs after `LowerCaser`.
#[derive(Clone)]
pub(crate) struct VietnameseToneFilter;

impl TokenFilter for VietnameseToneFilter {
    type Tokenizer<T: Tokenizer> = ToneFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ToneFilterWrapper<T> {
        ToneFilterWrapper(tokenizer)
    }
}

#[derive(Clone)]
pub struct ToneFilterWrapper<T>(T);

impl<T: Tokenizer> Tokenizer for ToneFilterWrapper<T> {
    type TokenStream<'a> = ToneFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ToneFilterStream(self.0.token_stream(text))
    }
}

pub struct ToneFilterStream<S>(S);

impl<S: TokenStream> TokenStream for ToneFilterStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        if !token.text.is_ascii() {
            if token.text.contains('ð') {
                token.text = token.text.replace('ð', "đ");
            }
            if let Some(canonical) = canonical_tone_placement(&token.text) {
                token.text = canonical;
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// Emits `first_second` for each pair of adjacent syllables (runs of letters and digits, as
/// tantivy's `SimpleTokenizer` splits them). Pairs are formed across spaces and across a single
/// `/` or `-`, never across a line break or other punctuation. Numbers lose their leading zeros
/// (`05/QĐ` → `5_qd`), as in document number keys.
#[derive(Clone, Default)]
pub(crate) struct SyllableBigramTokenizer;

impl Tokenizer for SyllableBigramTokenizer {
    type TokenStream<'a> = BigramTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramTokenStream<'a> {
        BigramTokenStream {
            text,
            spans: syllable_spans(text),
            next: 0,
            token: Token::default(),
        }
    }
}

pub struct BigramTokenStream<'a> {
    text: &'a str,
    spans: Vec<(usize, usize)>,
    next: usize,
    token: Token,
}

pub(crate) fn syllable_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// Whether two syllables separated by `gap` belong to one run of text.
pub(crate) fn joinable(gap: &str) -> bool {
    gap == "/"
        || gap == "-"
        || (!gap.is_empty()
            && gap
                .chars()
                .all(|c| c.is_whitespace() && c != '\n' && c != '\r'))
}

impl TokenStream for BigramTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while self.next + 1 < self.spans.len() {
            let i = self.next;
            self.next += 1;
            let (a, b) = (self.spans[i], self.spans[i + 1]);
            if !joinable(&self.text[a.1..b.0]) {
                continue;
            }
            self.token.text.clear();
            self.token
                .text
                .push_str(strip_leading_zeros(&self.text[a.0..a.1]));
            self.token.text.push('_');
            self.token
                .text
                .push_str(strip_leading_zeros(&self.text[b.0..b.1]));
            self.token.offset_from = a.0;
            self.token.offset_to = b.1;
            self.token.position = i;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Document numbers as printed on Vietnamese administrative documents: `15/QĐ-UBND`,
/// `101/2015/QH13`, `123/UBND-VP`, optionally preceded by `Số:`.
static DOCUMENT_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(?:số|so)\s*[:.]?\s*)?\b(\d{1,7})/(?:(\d{4})/)?(\p{L}[\p{L}\p{N}]*(?:[-.][\p{L}\p{N}]+)*)",
    )
    .expect("the document number pattern compiles")
});

/// A document number found in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundNumber {
    /// Byte range in the text, including a leading `Số:`.
    pub range: std::ops::Range<usize>,
    /// The normalised whole number, see [`document_number_key`].
    pub key: String,
}

pub(crate) fn find_document_numbers(text: &str) -> Vec<FoundNumber> {
    DOCUMENT_NUMBER
        .captures_iter(text)
        .filter_map(|captures| {
            let whole = captures.get(0)?;
            let number = captures.get(1)?.as_str();
            let notation = captures.get(3)?.as_str();
            let raw = match captures.get(2) {
                Some(year) => format!("{number}/{}/{notation}", year.as_str()),
                None => format!("{number}/{notation}"),
            };
            Some(FoundNumber {
                range: whole.range(),
                key: document_number_key(&raw),
            })
        })
        .collect()
}

/// The comparable form of a document number: folded, lower-case, no spaces, no leading zero on
/// the running number (`05/QĐ-UBND` and `5/qd-ubnd` both give `5/qd-ubnd`).
pub(crate) fn document_number_key(number: &str) -> String {
    let folded: String = fold_diacritics(&normalize_nfc(number))
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (head, tail) = folded.split_once('/').unwrap_or((folded.as_str(), ""));
    let head = strip_leading_zeros(head);
    if tail.is_empty() {
        head.to_string()
    } else {
        format!("{head}/{tail}")
    }
}

pub(crate) fn strip_leading_zeros(digits: &str) -> &str {
    if digits.len() > 1 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() {
            "0"
        } else {
            trimmed
        }
    } else {
        digits
    }
}

/// The parts of a normalised number as space-separated syllables: `5/qd-ubnd` → `5 qd ubnd`.
pub(crate) fn document_number_parts(key: &str) -> String {
    key.split(['/', '-', '.'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
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

    fn texts(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn fold_analyzer_folds_every_precomposed_vietnamese_letter() {
        let letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        let upper: String = letters.to_uppercase();
        let mut fold = fold_analyzer();
        for c in letters.chars().chain(upper.chars()).chain(['Ð']) {
            let folded = texts(&mut fold, &c.to_string());
            assert_eq!(folded.len(), 1, "{c}");
            assert!(folded[0].is_ascii(), "{c} → {}", folded[0]);
        }
        assert_eq!(
            texts(&mut fold, "Quyết định ĐỒNG Ðồng"),
            ["quyet", "dinh", "dong", "dong"]
        );
    }

    #[test]
    fn exact_analyzer_keeps_marks_and_unifies_tone_placement() {
        let mut exact = exact_analyzer();
        assert_eq!(
            texts(&mut exact, "Hòa nhập HOÀ THUỶ thủy Ðồng"),
            ["hoà", "nhập", "hoà", "thuỷ", "thuỷ", "đồng"]
        );
    }

    #[test]
    fn bigrams_pair_adjacent_syllables_within_a_run() {
        let mut bigram = bigram_analyzer();
        assert_eq!(
            texts(&mut bigram, "Cải cách hành chính, năm 2027\nSố 05/QĐ-UBND"),
            [
                "cai_cach",
                "cach_hanh",
                "hanh_chinh",
                "nam_2027",
                "so_5",
                "5_qd",
                "qd_ubnd"
            ]
        );
    }

    #[test]
    fn finds_document_numbers_in_queries() {
        let found =
            find_document_numbers("Số: 15/QĐ-UBND về 101/2015/QH13, ngày 15/3/2024 và 05/kh-snv");
        let keys: Vec<_> = found.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["15/qd-ubnd", "101/2015/qh13", "5/kh-snv"]);
        assert_eq!(found[0].range.start, 0);
        assert!(find_document_numbers("ngày 15/3/2024").is_empty());
        assert_eq!(document_number_parts("101/2015/qh13"), "101 2015 qh13");
    }

    #[test]
    fn prepare_text_repairs_legacy_encodings() {
        assert_eq!(prepare_text("QuyÕt ®Þnh vÒ viÖc"), "Quyết định về việc");
        assert_eq!(prepare_text("Quye\u{0302}\u{0301}t"), "Quyết");
    }
}
