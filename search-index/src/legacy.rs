//! Vietnamese text in the pre-Unicode font encodings that still fill old archives.
//!
//! A PDF typeset with a `.VnTime` (TCVN3/ABC) or `VNI-Times` font displays correctly, because
//! the font draws Vietnamese letters in the slots of Latin-1 characters, but its text extracts as
//! those Latin-1 characters: `Céng hoµ x· héi chñ nghÜa ViÖt Nam` (TCVN3) or
//! `Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam` (VNI). These functions recognise such text and
//! map it back to Unicode. They work on text that has already been decoded as Latin-1 or
//! Windows-1252, which is what PDF text extraction produces for these fonts.
//!
//! Tables: TCVN 5712:1993 (the `VN1` table, whose lower-case and vowel-letter part is the `VN3`
//! set used by the ABC `.VnTime` fonts; upper-case toned letters come from the `.VnTimeH` fonts,
//! which reuse the lower-case codes), and the VNI for Windows key table (base letter followed by
//! a mark character).

use serde::Serialize;

use crate::syllable::{is_vietnamese_syllable, split_tone, with_tone_cased};

/// A pre-Unicode Vietnamese encoding recognised in extracted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 (VN3/ABC, the `.VnTime`/`.VnTimeH` fonts).
    Tcvn3,
    /// VNI for Windows (the `VNI-Times` fonts): a letter followed by a mark character.
    Vni,
}

/// TCVN3 code points 0x80..=0xFF as Unicode; 0 leaves the character alone. Row 0x80–0x9F holds
/// the upper-case toned letters of the full (VN1) table; they are only converted when they arrive
/// as C1 control characters (a Latin-1 decoding), because in Windows-1252 those slots are quotes
/// and dashes that real text uses.
const TCVN3_HIGH: [u32; 128] = [
    // 0x80
    0x00C0, 0x1EA2, 0x00C3, 0x00C1, 0x1EA0, 0x1EB6, 0x1EAC, 0x00C8, 0x1EBA, 0x1EBC, 0x00C9, 0x1EB8,
    0x1EC6, 0x00CC, 0x1EC8, 0x0128, // 0x90
    0x00CD, 0x1ECA, 0x00D2, 0x1ECE, 0x00D5, 0x00D3, 0x1ECC, 0x1ED8, 0x1EDC, 0x1EDE, 0x1EE0, 0x1EDA,
    0x1EE2, 0x00D9, 0x1EE6, 0x0168, // 0xA0
    0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110, 0x0103, 0x00E2, 0x00EA, 0x00F4,
    0x01A1, 0x01B0, 0x0111, 0x1EB0, // 0xB0
    0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3, 0x00E1, 0x1EA1, 0x1EB2, 0x1EB1,
    0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4, // 0xC0
    0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7, 0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD,
    0x00E8, 0x1EC2, 0x1EBB, 0x1EBD, // 0xD0
    0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC, 0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2,
    0x0129, 0x00ED, 0x1ECB, 0x00F2, // 0xE0
    0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7, 0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF,
    0x1EE1, 0x1EDB, 0x1EE3, 0x00F9, // 0xF0
    0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF, 0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7,
    0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,
];

fn tcvn3_char(c: char) -> Option<char> {
    let code = c as u32;
    if !(0x80..=0xFF).contains(&code) {
        return None;
    }
    match TCVN3_HIGH[(code - 0x80) as usize] {
        0 => None,
        mapped => char::from_u32(mapped),
    }
}

/// The upper-case letters TCVN3 encodes directly (0xA1–0xA7 and the VN1 extras); everything
/// else it encodes in lower case.
fn tcvn3_is_upper_code(c: char) -> bool {
    tcvn3_char(c).is_some_and(char::is_uppercase)
}

enum VniMark {
    /// A tone on the preceding vowel.
    Tone(usize),
    /// A circumflex (and tone) on a preceding a/e/o.
    Circumflex(usize),
    /// A breve (and tone) on a preceding a.
    Breve(usize),
}

fn vni_mark(c: char) -> Option<VniMark> {
    use crate::syllable::{TONE_ACUTE, TONE_DOT, TONE_GRAVE, TONE_HOOK, TONE_LEVEL, TONE_TILDE};
    Some(match c {
        'ø' | 'Ø' => VniMark::Tone(TONE_GRAVE),
        'ù' | 'Ù' => VniMark::Tone(TONE_ACUTE),
        'û' | 'Û' => VniMark::Tone(TONE_HOOK),
        'õ' | 'Õ' => VniMark::Tone(TONE_TILDE),
        'ï' | 'Ï' => VniMark::Tone(TONE_DOT),
        'â' | 'Â' => VniMark::Circumflex(TONE_LEVEL),
        'à' | 'À' => VniMark::Circumflex(TONE_GRAVE),
        'á' | 'Á' => VniMark::Circumflex(TONE_ACUTE),
        'å' | 'Å' => VniMark::Circumflex(TONE_HOOK),
        'ã' | 'Ã' => VniMark::Circumflex(TONE_TILDE),
        'ä' | 'Ä' => VniMark::Circumflex(TONE_DOT),
        'ê' | 'Ê' => VniMark::Breve(TONE_LEVEL),
        'è' | 'È' => VniMark::Breve(TONE_GRAVE),
        'é' | 'É' => VniMark::Breve(TONE_ACUTE),
        'ú' | 'Ú' => VniMark::Breve(TONE_HOOK),
        'ü' | 'Ü' => VniMark::Breve(TONE_TILDE),
        'ë' | 'Ë' => VniMark::Breve(TONE_DOT),
        _ => return None,
    })
}

/// VNI characters that stand for a whole letter.
fn vni_single(c: char) -> Option<char> {
    Some(match c {
        'ô' => 'ơ',
        'Ô' => 'Ơ',
        'ö' => 'ư',
        'Ö' => 'Ư',
        'ñ' => 'đ',
        'Ñ' => 'Đ',
        'æ' => 'ỉ',
        'Æ' => 'Ỉ',
        'ó' => 'ĩ',
        'Ó' => 'Ĩ',
        'ò' => 'ị',
        'Ò' => 'Ị',
        'î' => 'ỵ',
        'Î' => 'Ỵ',
        _ => return None,
    })
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Applies a VNI mark to the letter just written, if it can carry it.
fn apply_vni_mark(previous: char, mark: &VniMark) -> Option<char> {
    let (base, tone) = split_tone(lower(previous))?;
    let upper = previous.is_uppercase();
    let recase = |c: char| {
        if upper {
            c.to_uppercase().next()
        } else {
            Some(c)
        }
    };
    match *mark {
        VniMark::Tone(t) if tone == 0 => recase(crate::syllable::with_tone(base, t)?),
        VniMark::Circumflex(t) if tone == 0 => {
            let hat = match base {
                'a' => 'â',
                'e' => 'ê',
                'o' => 'ô',
                _ => return None,
            };
            let hat = if upper {
                hat.to_uppercase().next()?
            } else {
                hat
            };
            with_tone_cased(hat, t)
        }
        VniMark::Breve(t) if tone == 0 && base == 'a' => {
            let breve = if upper { 'Ă' } else { 'ă' };
            with_tone_cased(breve, t)
        }
        _ => None,
    }
}

fn convert_vni(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some(mark) = vni_mark(c) {
            if let Some(previous) = out.chars().next_back() {
                if let Some(combined) = apply_vni_mark(previous, &mark) {
                    out.pop();
                    out.push(combined);
                    continue;
                }
            }
        }
        out.push(vni_single(c).unwrap_or(c));
    }
    out
}

fn convert_tcvn3_plain(text: &str) -> String {
    text.chars().map(|c| tcvn3_char(c).unwrap_or(c)).collect()
}

/// TCVN3 has no upper-case toned letters: headings set in `.VnTimeH` come out with lower-case
/// codes. A line whose plain letters are all capitals, or a word with at least two capital
/// letters and no small ones, is upper-cased after conversion.
fn convert_tcvn3(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        // Only syllables holding an encoded letter count: all-capital abbreviations such as
        // UBND appear in any line.
        let (mut upper, mut lower) = (0, 0);
        for syllable in line.split(|c: char| !(c.is_ascii_alphabetic() || tcvn3_char(c).is_some()))
        {
            if syllable.chars().any(|c| tcvn3_char(c).is_some()) {
                upper += syllable.chars().filter(char::is_ascii_uppercase).count();
                lower += syllable.chars().filter(char::is_ascii_lowercase).count();
            }
        }
        let line_upper = upper >= 3 && lower == 0;
        for piece in split_keep_whitespace(line) {
            let word_upper = line_upper || {
                let caps = piece
                    .chars()
                    .filter(|c| c.is_ascii_uppercase() || tcvn3_is_upper_code(*c))
                    .count();
                caps >= 2 && !piece.chars().any(|c| c.is_ascii_lowercase())
            };
            for c in piece.chars() {
                match tcvn3_char(c) {
                    Some(mapped) if word_upper => out.extend(mapped.to_uppercase()),
                    Some(mapped) => out.push(mapped),
                    None => out.push(c),
                }
            }
        }
    }
    crate::analysis::normalize_nfc(&out)
}

/// Splits into runs of whitespace and runs of anything else, keeping both.
fn split_keep_whitespace(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let space = first.is_whitespace();
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace() != space)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

/// Letters only Unicode Vietnamese uses: ă đ ĩ ũ ơ ư and the U+1EA0–U+1EF9 block.
fn is_unicode_vietnamese_letter(c: char) -> bool {
    matches!(c as u32, 0x1EA0..=0x1EF9)
        || matches!(
            c,
            'ă' | 'Ă' | 'đ' | 'Đ' | 'ĩ' | 'Ĩ' | 'ũ' | 'Ũ' | 'ơ' | 'Ơ' | 'ư' | 'Ư'
        )
}

/// Recognises text in a legacy Vietnamese encoding. Returns `None` for Unicode text (including
/// plain ASCII) and when the evidence is too thin to decide.
///
/// Each word holding non-ASCII characters is read three ways — as Unicode, as TCVN3 and as
/// VNI — and counted when the reading is a well-formed Vietnamese syllable. A legacy encoding is
/// reported when its reading explains at least 30 % of those words and at least twice as many as
/// the Unicode reading does.
pub fn detect_legacy_encoding(text: &str) -> Option<LegacyEncoding> {
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    if non_ascii == 0 {
        return None;
    }
    let unicode_letters = text
        .chars()
        .filter(|c| is_unicode_vietnamese_letter(*c))
        .count();
    // Legacy text decoded as Latin-1 cannot contain these letters; real Unicode Vietnamese is
    // full of them.
    if unicode_letters >= 3 && unicode_letters * 10 >= non_ascii {
        return None;
    }
    let (mut words, mut as_unicode, mut as_tcvn3, mut as_vni) = (0usize, 0usize, 0usize, 0usize);
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_ascii_digit());
        if word.is_ascii() {
            continue;
        }
        words += 1;
        let nfc = crate::analysis::normalize_nfc(word);
        as_unicode += usize::from(is_vietnamese_syllable(&nfc));
        if nfc.chars().any(is_unicode_vietnamese_letter) {
            continue;
        }
        as_tcvn3 += usize::from(is_vietnamese_syllable(&crate::analysis::normalize_nfc(
            &convert_tcvn3_plain(word),
        )));
        as_vni += usize::from(is_vietnamese_syllable(&convert_vni(word)));
    }
    let (best, encoding) = match as_tcvn3.cmp(&as_vni) {
        std::cmp::Ordering::Greater => (as_tcvn3, LegacyEncoding::Tcvn3),
        std::cmp::Ordering::Less => (as_vni, LegacyEncoding::Vni),
        std::cmp::Ordering::Equal => return None,
    };
    (best > 0 && best >= 2 * as_unicode && best * 10 >= words * 3).then_some(encoding)
}

/// Converts text in `encoding` to Unicode (NFC). Characters outside the encoding's table, such
/// as ASCII, digits and punctuation, pass through unchanged.
pub fn convert_legacy(text: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => convert_tcvn3(text),
        LegacyEncoding::Vni => crate::analysis::normalize_nfc(&convert_vni(text)),
    }
}

/// Detects and converts in one step; Unicode text comes back unchanged.
pub fn repair_legacy_encoding(text: &str) -> std::borrow::Cow<'_, str> {
    match detect_legacy_encoding(text) {
        Some(encoding) => std::borrow::Cow::Owned(convert_legacy(text, encoding)),
        None => std::borrow::Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes Unicode text the way a `.VnTime`/`.VnTimeH` font stores it (for building samples
    /// from the published table rather than by hand).
    fn encode_tcvn3(text: &str) -> String {
        text.chars()
            .map(|c| {
                let lower = lower(c);
                (0x80u32..=0xFF)
                    .filter(|code| *code >= 0xA0)
                    .find(|code| char::from_u32(TCVN3_HIGH[(*code - 0x80) as usize]) == Some(c))
                    .or_else(|| {
                        (0xA0u32..=0xFF).find(|code| {
                            char::from_u32(TCVN3_HIGH[(*code - 0x80) as usize]) == Some(lower)
                        })
                    })
                    .and_then(char::from_u32)
                    .unwrap_or(c)
            })
            .collect()
    }

    const TCVN3_SAMPLES: &[(&str, &str)] = &[
        (
            "Céng hoµ x· héi chñ nghÜa ViÖt Nam",
            "Cộng hoà xã hội chủ nghĩa Việt Nam",
        ),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        (
            "QuyÕt ®Þnh vÒ viÖc phª duyÖt KÕ ho¹ch c¶i c¸ch hµnh chÝnh n¨m 2024",
            "Quyết định về việc phê duyệt Kế hoạch cải cách hành chính năm 2024",
        ),
        (
            "ñY BAN NH¢N D¢N TØNH §åNG NAI",
            "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI",
        ),
        (
            "C¨n cø LuËt Tæ chøc chÝnh quyÒn ®Þa ph\u{AD}\u{AC}ng ngµy 19 th¸ng 6 n¨m 2015;",
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        ),
    ];

    const VNI_SAMPLES: &[(&str, &str)] = &[
        (
            "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
            "Cộng hòa xã hội chủ nghĩa Việt Nam",
        ),
        (
            "Ñoäc laäp - Töï do - Haïnh phuùc",
            "Độc lập - Tự do - Hạnh phúc",
        ),
        (
            "Quyeát ñònh veà vieäc pheâ duyeät Keá hoaïch caûi caùch haønh chính naêm 2024",
            "Quyết định về việc phê duyệt Kế hoạch cải cách hành chính năm 2024",
        ),
        (
            "UÛY BAN NHAÂN DAÂN TÆNH ÑOÀNG NAI",
            "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI",
        ),
        (
            "Caên cöù Luaät Toå chöùc chính quyeàn ñòa phöông ngaøy 19 thaùng 6 naêm 2015;",
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        ),
        (
            "ngöôøi khuyeát taät hoøa nhaäp coäng ñoàng",
            "người khuyết tật hòa nhập cộng đồng",
        ),
    ];

    #[test]
    fn tcvn3_samples_are_built_from_the_table() {
        // The lower-case samples are exactly what the table produces for the Unicode text.
        for (legacy, unicode) in TCVN3_SAMPLES.iter().take(3) {
            assert_eq!(&encode_tcvn3(unicode), legacy);
        }
    }

    #[test]
    fn detects_and_converts_tcvn3() {
        for (legacy, unicode) in TCVN3_SAMPLES {
            assert_eq!(
                detect_legacy_encoding(legacy),
                Some(LegacyEncoding::Tcvn3),
                "{legacy}"
            );
            assert_eq!(convert_legacy(legacy, LegacyEncoding::Tcvn3), *unicode);
        }
        let page = TCVN3_SAMPLES
            .iter()
            .map(|(legacy, _)| *legacy)
            .collect::<Vec<_>>()
            .join("\n");
        let expected = TCVN3_SAMPLES
            .iter()
            .map(|(_, unicode)| *unicode)
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(repair_legacy_encoding(&page), expected);
    }

    #[test]
    fn detects_and_converts_vni() {
        for (legacy, unicode) in VNI_SAMPLES {
            assert_eq!(
                detect_legacy_encoding(legacy),
                Some(LegacyEncoding::Vni),
                "{legacy}"
            );
            assert_eq!(convert_legacy(legacy, LegacyEncoding::Vni), *unicode);
        }
    }

    #[test]
    fn a_lone_number_line_is_too_short_to_decide_but_converts() {
        // "Sè"/"Soá" are also well-formed Unicode syllables, so one word decides nothing;
        // the surrounding page does.
        assert_eq!(detect_legacy_encoding("Sè: 15/Q§-UBND"), None);
        assert_eq!(
            convert_legacy("Sè: 15/Q§-UBND", LegacyEncoding::Tcvn3),
            "Số: 15/QĐ-UBND"
        );
        assert_eq!(
            convert_legacy("Soá: 15/QÑ-UBND", LegacyEncoding::Vni),
            "Số: 15/QĐ-UBND"
        );
        let page = "Sè: 15/Q§-UBND\nQuyÕt ®Þnh vÒ viÖc phª duyÖt KÕ ho¹ch";
        assert_eq!(
            repair_legacy_encoding(page),
            "Số: 15/QĐ-UBND\nQuyết định về việc phê duyệt Kế hoạch"
        );
    }

    #[test]
    fn unicode_and_ascii_text_is_left_alone() {
        for text in [
            "Cộng hòa xã hội chủ nghĩa Việt Nam",
            "Hà Nội, ngày 15 tháng 3 năm 2024",
            "Số: 15/QĐ-UBND",
            "UBND tinh Dong Nai",
            "Phê duyệt",
            "café à la carte",
            "",
        ] {
            assert_eq!(detect_legacy_encoding(text), None, "{text}");
            assert_eq!(repair_legacy_encoding(text), text);
        }
    }

    #[test]
    fn converted_text_is_nfc_and_keeps_ascii() {
        let converted = convert_legacy("Sè 123, ngµy 05/3/2024 (kÌm theo)", LegacyEncoding::Tcvn3);
        assert_eq!(converted, "Số 123, ngày 05/3/2024 (kèm theo)");
        assert_eq!(crate::analysis::normalize_nfc(&converted), converted);
    }
}
