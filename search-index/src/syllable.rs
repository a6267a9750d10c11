//! The structure of a Vietnamese syllable: initial consonant, vowel nucleus, final consonant and
//! one tone mark. Used for two things:
//!
//! * putting the tone mark in one canonical place, so that the old and the new spelling
//!   conventions (`hòa`/`hoà`, `thủy`/`thuỷ`, `khỏe`/`khoẻ`) give the same term in the exact
//!   (diacritics-kept) fields;
//! * telling whether a word is a plausible Vietnamese syllable, which is how legacy-encoded text
//!   (TCVN3, VNI) is recognised.

/// Tone order in every row: level, grave (huyền), acute (sắc), hook (hỏi), tilde (ngã), dot (nặng).
const VOWELS: [[char; 6]; 12] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ề', 'ế', 'ể', 'ễ', 'ệ'],
    ['i', 'ì', 'í', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
];

pub(crate) const TONE_LEVEL: usize = 0;
pub(crate) const TONE_GRAVE: usize = 1;
pub(crate) const TONE_ACUTE: usize = 2;
pub(crate) const TONE_HOOK: usize = 3;
pub(crate) const TONE_TILDE: usize = 4;
pub(crate) const TONE_DOT: usize = 5;

/// Splits a lower-case vowel into its toneless letter and its tone.
pub(crate) fn split_tone(c: char) -> Option<(char, usize)> {
    VOWELS
        .iter()
        .find_map(|row| row.iter().position(|&v| v == c).map(|tone| (row[0], tone)))
}

/// Puts `tone` on the toneless lower-case vowel `base`.
pub(crate) fn with_tone(base: char, tone: usize) -> Option<char> {
    VOWELS
        .iter()
        .find(|row| row[0] == base)
        .and_then(|row| row.get(tone).copied())
}

/// Like [`with_tone`], keeping the case of `base`.
pub(crate) fn with_tone_cased(base: char, tone: usize) -> Option<char> {
    if base.is_uppercase() {
        let lower = base.to_lowercase().next()?;
        with_tone(lower, tone).and_then(|c| c.to_uppercase().next())
    } else {
        with_tone(base, tone)
    }
}

fn is_vowel(c: char) -> bool {
    VOWELS.iter().any(|row| row[0] == c)
}

fn is_consonant(c: char) -> bool {
    matches!(
        c,
        'b' | 'c'
            | 'd'
            | 'đ'
            | 'g'
            | 'h'
            | 'k'
            | 'l'
            | 'm'
            | 'n'
            | 'p'
            | 'q'
            | 'r'
            | 's'
            | 't'
            | 'v'
            | 'x'
    )
}

const INITIALS: &[&str] = &[
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
];

const FINALS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

/// Nuclei that may be followed by a final consonant.
const OPEN_NUCLEI: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "oa", "oă", "oe", "oo",
    "uâ", "uê", "uô", "uơ", "ươ", "uy", "uyê",
];

/// Nuclei ending in a semivowel, which close the syllable.
const CLOSED_NUCLEI: &[&str] = &[
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa",
    "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "uya", "uyu", "ươi", "ươu",
];

/// A parsed lower-case syllable; `nucleus` is a range of char indices into the toneless letters.
struct Parsed {
    nucleus: std::ops::Range<usize>,
    has_final: bool,
    stop_final: bool,
}

fn parse(letters: &[char]) -> Option<Parsed> {
    let mut start = letters.iter().take_while(|c| is_consonant(**c)).count();
    if start > 3 {
        return None;
    }
    // "qu" and "gi" take their vowel letter into the initial.
    if start == 1 && letters[0] == 'q' {
        if letters.get(1) != Some(&'u') {
            return None;
        }
        start = 2;
    } else if start == 1
        && letters[0] == 'g'
        && letters.get(1) == Some(&'i')
        && letters.get(2).is_some_and(|c| is_vowel(*c))
    {
        start = 2;
    }
    let initial: String = letters[..start].iter().collect();
    if !INITIALS.contains(&initial.as_str()) {
        return None;
    }
    let end = start
        + letters[start..]
            .iter()
            .take_while(|c| is_vowel(**c))
            .count();
    if end == start {
        // "gi" alone ("gì" is parsed as g + i above); nothing else is a syllable without a vowel.
        return None;
    }
    let final_part: String = letters[end..].iter().collect();
    if !FINALS.contains(&final_part.as_str()) {
        return None;
    }
    let nucleus: String = letters[start..end].iter().collect();
    let has_final = !final_part.is_empty();
    let known = if has_final {
        OPEN_NUCLEI.contains(&nucleus.as_str())
    } else {
        OPEN_NUCLEI.contains(&nucleus.as_str()) || CLOSED_NUCLEI.contains(&nucleus.as_str())
    };
    if !known {
        return None;
    }
    Some(Parsed {
        nucleus: start..end,
        has_final,
        stop_final: matches!(final_part.as_str(), "c" | "ch" | "p" | "t"),
    })
}

/// Index inside the nucleus where the tone mark goes, in the "new" convention (`hoà`, `thuỷ`,
/// `khoẻ`): on the vowel with a quality mark, else on the last vowel before a final consonant,
/// else on the main vowel of the rising diphthongs oa/oe/uy, else on the first vowel.
fn canonical_tone_index(nucleus: &[char], has_final: bool) -> usize {
    if let Some(p) = nucleus.windows(2).position(|w| w == ['ư', 'ơ']) {
        return p + 1;
    }
    if let Some(p) = nucleus
        .iter()
        .position(|c| matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư'))
    {
        return p;
    }
    if has_final {
        return nucleus.len() - 1;
    }
    match nucleus {
        [_] => 0,
        ['o', 'a'] | ['o', 'e'] | ['u', 'y'] => 1,
        [_, _] => 0,
        _ => 1,
    }
}

/// The "old" convention differs only on open oa/oe/uy, where the mark sits on the first vowel.
fn old_tone_index(nucleus: &[char], has_final: bool) -> usize {
    match (nucleus, has_final) {
        (['o', 'a'] | ['o', 'e'] | ['u', 'y'], false) => 0,
        _ => canonical_tone_index(nucleus, has_final),
    }
}

/// Toneless letters, and the (position, tone) of each toned vowel.
type Untoned = (Vec<char>, Vec<(usize, usize)>);

/// Splits a lower-case word into toneless letters and its tones.
fn untone(word: &str) -> Option<Untoned> {
    let mut letters = Vec::with_capacity(word.len());
    let mut tones = Vec::new();
    for (i, c) in word.chars().enumerate() {
        if let Some((base, tone)) = split_tone(c) {
            letters.push(base);
            if tone != TONE_LEVEL {
                tones.push((i, tone));
            }
        } else if c.is_ascii_lowercase() || c == 'đ' {
            letters.push(c);
        } else {
            return None;
        }
    }
    Some((letters, tones))
}

/// Moves the tone mark of a lower-case syllable to its canonical vowel. Words that are not
/// Vietnamese syllables come back unchanged.
pub(crate) fn canonical_tone_placement(word: &str) -> Option<String> {
    let (letters, tones) = untone(word)?;
    let [(at, tone)] = tones[..] else {
        return None;
    };
    let parsed = parse(&letters)?;
    let target = parsed.nucleus.start
        + canonical_tone_index(&letters[parsed.nucleus.clone()], parsed.has_final);
    if target == at {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    for (i, &c) in letters.iter().enumerate() {
        if i == target {
            out.push(with_tone(c, tone)?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Whether `word` (any case, NFC) is a well-formed Vietnamese syllable with at most one tone
/// mark, placed where one of the two spelling conventions puts it.
pub(crate) fn is_vietnamese_syllable(word: &str) -> bool {
    let lower = word.to_lowercase();
    let Some((letters, tones)) = untone(&lower) else {
        return false;
    };
    let Some(parsed) = parse(&letters) else {
        return false;
    };
    match tones[..] {
        [] => !parsed.stop_final,
        [(at, tone)] => {
            if parsed.stop_final && !matches!(tone, TONE_ACUTE | TONE_DOT) {
                return false;
            }
            let nucleus = &letters[parsed.nucleus.clone()];
            let start = parsed.nucleus.start;
            at == start + canonical_tone_index(nucleus, parsed.has_final)
                || at == start + old_tone_index(nucleus, parsed.has_final)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_tone_placement_meet_in_one_form() {
        for (a, b) in [
            ("hòa", "hoà"),
            ("thủy", "thuỷ"),
            ("khỏe", "khoẻ"),
            ("thúy", "thuý"),
            ("tòa", "toà"),
            ("lòe", "loè"),
        ] {
            let canon_a = canonical_tone_placement(a).unwrap_or_else(|| a.to_string());
            let canon_b = canonical_tone_placement(b).unwrap_or_else(|| b.to_string());
            assert_eq!(canon_a, canon_b, "{a} / {b}");
            assert_eq!(canon_a, b);
        }
    }

    #[test]
    fn syllables_whose_placement_is_fixed_are_left_alone() {
        for word in [
            "hoàn", "toán", "quý", "quả", "già", "giữa", "người", "mùa", "mía", "khuyết", "hoạch",
            "thuế", "tuần", "cửa", "huỳnh", "xoáy", "gì", "nghĩa",
        ] {
            assert_eq!(canonical_tone_placement(word), None, "{word}");
            assert!(is_vietnamese_syllable(word), "{word}");
        }
    }

    #[test]
    fn misplaced_marks_are_moved() {
        assert_eq!(canonical_tone_placement("hòan").as_deref(), Some("hoàn"));
        assert_eq!(canonical_tone_placement("mưá").as_deref(), Some("mứa"));
    }

    #[test]
    fn recognises_syllables_and_rejects_garbage() {
        for word in [
            "Quyết", "định", "Việt", "Nam", "Cộng", "hoà", "hòa", "ĐỒNG", "xã", "khỏe", "nghiêng",
        ] {
            assert!(is_vietnamese_syllable(word), "{word}");
        }
        for word in [
            "héi", "chñ", "ViÖt", "hoµ", "Céngg", "mát?", "ubnd", "tờc", "tàc", "xyz",
        ] {
            assert!(!is_vietnamese_syllable(word), "{word}");
        }
    }
}
