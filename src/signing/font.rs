//! Subset TrueType embedding for Vietnamese text in PDFs.
//!
//! The standard 14 PDF fonts only cover WinAnsi, so "Số", "Đ" or "Ủ" need an embedded font.
//! The font is written as Type0 / Identity-H over a CIDFontType2 with `/CIDToGIDMap /Identity`:
//! two-byte codes are glyph ids of the subset (the subsetter renumbers glyphs densely and we use
//! its numbering as the CID). A `/ToUnicode` CMap maps every CID back to its character so that
//! copy/paste and `pdftotext` give the original text. Text is NFC-normalised first: precomposed
//! Vietnamese letters have their own cmap entries, so no shaping engine is needed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{write::ZlibEncoder, Compression};
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use search_index::normalize_nfc;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, Tag};

/// Candidates for [`FontProgram::system_serif`], best first. Liberation Serif is metric
/// compatible with Times New Roman, the font Vietnamese administrative documents prescribe.
const SYSTEM_SERIF_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
];

/// A system font is only accepted if it has every letter of this probe (all Vietnamese vowels
/// with their marks would be overkill; these are the ones official headers actually use).
const VIETNAMESE_PROBE: &str =
    "Số: 05/QĐ-UBND Bình An, ngày 05 tháng 01 năm 2027 Ủy ban nhân dân tỉnh ăâêôơưđẠẶỆỘỢỰỸ";

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read font file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not a usable font: {0}")]
    Invalid(String),
    #[error("the font {font} has no glyph for {character:?} (U+{:04X})", *.character as u32)]
    MissingGlyph { font: String, character: char },
    #[error("{character:?} (U+{:04X}) was not in the text given to embed_subset", *.character as u32)]
    NotInSubset { character: char },
    #[error("font subsetting failed: {0}")]
    Subset(String),
    #[error("compressing the font program failed: {0}")]
    Compress(#[source] std::io::Error),
    #[error("no system serif font with Vietnamese coverage; tried: {0}")]
    NoSystemFont(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// An owned TrueType font program. The parsed `Face` borrows the bytes, so it is re-parsed on
/// demand (cheap: ttf-parser only reads table directories) instead of being self-referential.
pub struct FontProgram {
    data: Vec<u8>,
    family: String,
    postscript_name: String,
}

impl FontProgram {
    pub fn from_bytes(data: Vec<u8>) -> Result<Self, FontError> {
        let face = Face::parse(&data, 0).map_err(|e| FontError::Invalid(e.to_string()))?;
        if face.tables().glyf.is_none() {
            // CFF outlines would need /FontFile3 and a CIDFontType0; not needed for our fonts.
            return Err(FontError::Invalid(
                "only TrueType (glyf) outlines are supported".into(),
            ));
        }
        if let Some(os2) = face.tables().os2 {
            let restricted = os2.permissions() == Some(ttf_parser::Permissions::Restricted);
            if restricted || !os2.is_subsetting_allowed() {
                return Err(FontError::Invalid(
                    "the font licence forbids subset embedding".into(),
                ));
            }
        }
        let name = |id: u16| {
            face.names()
                .into_iter()
                .filter(|n| n.name_id == id)
                .find_map(|n| n.to_string())
                .filter(|s| !s.trim().is_empty())
        };
        let family = name(ttf_parser::name_id::FAMILY).unwrap_or_else(|| "Unnamed".to_string());
        // /BaseFont must be a PDF name without delimiters; fall back to the squashed family.
        let postscript_name: String = name(ttf_parser::name_id::POST_SCRIPT_NAME)
            .unwrap_or_else(|| family.clone())
            .chars()
            .filter(|c| is_name_char(*c))
            .collect();
        Ok(FontProgram {
            data,
            family,
            postscript_name,
        })
    }

    pub fn from_file(path: &Path) -> Result<Self, FontError> {
        let data = std::fs::read(path).map_err(|source| FontError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(data)
    }

    /// First existing file of [`SYSTEM_SERIF_PATHS`] that covers the Vietnamese probe text.
    pub fn system_serif() -> Result<Self, FontError> {
        let mut tried = Vec::new();
        for path in SYSTEM_SERIF_PATHS.iter().map(Path::new) {
            match Self::from_file(path) {
                Ok(font) if font.covers(VIETNAMESE_PROBE) => return Ok(font),
                Ok(_) => tried.push(format!("{} (lacks Vietnamese glyphs)", path.display())),
                Err(error) => tried.push(format!("{} ({error})", path.display())),
            }
        }
        Err(FontError::NoSystemFont(tried.join("; ")))
    }

    pub fn family_name(&self) -> &str {
        &self.family
    }

    /// Whether every character of `text` (after NFC) has a real glyph (not .notdef).
    pub fn covers(&self, text: &str) -> bool {
        let Ok(face) = self.face() else { return false };
        normalize_nfc(text)
            .chars()
            .all(|c| glyph(&face, c).is_some())
    }

    fn face(&self) -> Result<Face<'_>, FontError> {
        Face::parse(&self.data, 0).map_err(|e| FontError::Invalid(e.to_string()))
    }
}

fn glyph(face: &Face<'_>, c: char) -> Option<GlyphId> {
    face.glyph_index(c).filter(|g| g.0 != 0)
}

/// Characters allowed in a PDF name written without `#` escapes.
fn is_name_char(c: char) -> bool {
    c.is_ascii_graphic() && !"()<>[]{}/%#".contains(c)
}

/// Handle for a font embedded by [`embed_subset`]: its Type0 object and, per character, the
/// CID and the advance width in 1000-per-em units.
#[derive(Debug, Clone)]
pub struct EmbeddedFont {
    font_id: ObjectId,
    glyphs: BTreeMap<char, (u16, f32)>,
}

/// Adds the subset font objects to `document` (in practice the `new_document` of a lopdf
/// IncrementalDocument) and returns the handle. Every character of `texts` must be in the font.
pub fn embed_subset(
    document: &mut Document,
    font: &FontProgram,
    texts: &[&str],
) -> Result<EmbeddedFont, FontError> {
    let face = font.face()?;
    let scale = 1000.0 / f32::from(face.units_per_em().max(1));
    let advance = |g: GlyphId| f32::from(face.glyph_hor_advance(g).unwrap_or(0)) * scale;
    // GlyphRemapper::new() already maps .notdef to 0, so the first real glyph gets CID 1.
    let mut remapper = GlyphRemapper::new();
    let mut widths = vec![advance(GlyphId(0))];
    let mut glyphs = BTreeMap::new();
    let mut unicode = BTreeMap::new();
    let missing = |character| FontError::MissingGlyph {
        font: font.family.clone(),
        character,
    };
    // Normalised one by one: NFC of a concatenation could compose across text boundaries.
    for c in texts
        .iter()
        .map(|t| normalize_nfc(t))
        .collect::<String>()
        .chars()
    {
        if glyphs.contains_key(&c) {
            continue;
        }
        let gid = glyph(&face, c).ok_or_else(|| missing(c))?;
        let cid = remapper.remap(gid.0);
        if usize::from(cid) == widths.len() {
            widths.push(advance(gid));
        }
        glyphs.insert(c, (cid, widths[usize::from(cid)]));
        // Two characters may share a glyph; ToUnicode can only name one, the first wins.
        unicode.entry(cid).or_insert(c);
    }
    // The subsetter appends composite-glyph components after our glyphs; our CIDs stay valid.
    let subset = subsetter::subset(&font.data, 0, &remapper)
        .map_err(|e| FontError::Subset(e.to_string()))?;
    let base_font = format!("{}+{}", subset_tag(&subset), font.postscript_name);

    let file_dict = dictionary! { "Filter" => "FlateDecode", "Length1" => subset.len() as i64 };
    let file_id = document.add_object(Stream::new(file_dict, deflate(&subset)?));
    let descriptor_id = document.add_object(descriptor(&face, &base_font, file_id));
    // CIDs are 0..n, so one `c [w0 w1 ...]` run covers them all.
    let w: Vec<Object> = widths.iter().map(|w| Object::Real(*w)).collect();
    let cid_font_id = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base_font.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"), "Supplement" => 0,
        },
        "FontDescriptor" => descriptor_id, "W" => vec![0.into(), w.into()], "CIDToGIDMap" => "Identity",
    });
    let cmap = deflate(to_unicode_cmap(&unicode).as_bytes())?;
    let cmap_id = document.add_object(Stream::new(dictionary! { "Filter" => "FlateDecode" }, cmap));
    let font_id = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => Object::Name(base_font.into_bytes()),
        "Encoding" => "Identity-H", "DescendantFonts" => vec![cid_font_id.into()], "ToUnicode" => cmap_id,
    });
    Ok(EmbeddedFont { font_id, glyphs })
}

impl EmbeddedFont {
    pub fn font_id(&self) -> ObjectId {
        self.font_id
    }

    /// The bytes for a hex string operand of Tj (2-byte CIDs), for text made only of characters
    /// given to embed_subset.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, FontError> {
        let cids = self.lookup(text)?;
        Ok(cids.iter().flat_map(|(cid, _)| cid.to_be_bytes()).collect())
    }

    /// Advance width of `text` at `size` points (no kerning: Tj does not apply any either).
    pub fn text_width(&self, text: &str, size: f32) -> Result<f32, FontError> {
        let units: f32 = self.lookup(text)?.iter().map(|(_, w)| w).sum();
        Ok(units * size / 1000.0)
    }

    fn lookup(&self, text: &str) -> Result<Vec<(u16, f32)>, FontError> {
        let glyph = |character| self.glyphs.get(&character).copied();
        normalize_nfc(text)
            .chars()
            .map(|character| glyph(character).ok_or(FontError::NotInSubset { character }))
            .collect()
    }

    /// Convenience: content-stream bytes "BT /{resource_name} {size} Tf {r} {g} {b} rg {x} {y} Td <hex> Tj ET".
    pub fn show_text(
        &self,
        resource_name: &str,
        text: &str,
        size: f32,
        x: f32,
        y: f32,
        rgb: [f32; 3],
    ) -> Result<Vec<u8>, FontError> {
        if resource_name.is_empty() || !resource_name.chars().all(is_name_char) {
            let message = format!("bad resource name {resource_name:?}");
            return Err(FontError::InvalidArgument(message));
        }
        if ![size, x, y, rgb[0], rgb[1], rgb[2]]
            .iter()
            .all(|v| v.is_finite())
        {
            let message = "non-finite number in show_text".to_string();
            return Err(FontError::InvalidArgument(message));
        }
        let hex: String = self
            .encode(text)?
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        let [r, g, b] = rgb.map(num);
        Ok(format!(
            "BT /{resource_name} {} Tf {r} {g} {b} rg {} {} Td <{hex}> Tj ET\n",
            num(size),
            num(x),
            num(y)
        )
        .into_bytes())
    }
}

/// FontDescriptor in 1000-per-em units. Flags: Symbolic (Vietnamese letters are outside the
/// Adobe standard Latin set), plus FixedPitch / Serif / Italic from the font's own tables.
fn descriptor(face: &Face<'_>, base_font: &str, file_id: ObjectId) -> Dictionary {
    let scale = 1000.0 / f32::from(face.units_per_em().max(1));
    let s = |v: i16| Object::Integer((f32::from(v) * scale).round() as i64);
    let os2 = face
        .raw_face()
        .table(Tag::from_bytes(b"OS/2"))
        .unwrap_or(&[]);
    // sFamilyClass 1-5 and 7 are serif classes; PANOSE serif styles 2-10 have serifs.
    let serif = matches!(os2.get(30), Some(1..=5 | 7))
        || (os2.get(32) == Some(&2) && matches!(os2.get(33), Some(2..=10)));
    let flags = 4
        | i64::from(face.is_monospaced())
        | (i64::from(serif) << 1)
        | (i64::from(face.is_italic()) << 6);
    let b = face.global_bounding_box();
    // TrueType has no StemV; this is the usual estimate from the OS/2 weight class.
    let stem_v = 10.0 + 0.244 * (f32::from(face.weight().to_number()) - 50.0);
    dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base_font.as_bytes().to_vec()),
        "Flags" => flags,
        "FontBBox" => vec![s(b.x_min), s(b.y_min), s(b.x_max), s(b.y_max)],
        "ItalicAngle" => face.italic_angle(),
        "Ascent" => s(face.ascender()),
        "Descent" => s(face.descender()),
        "CapHeight" => s(face.capital_height().filter(|h| *h > 0).unwrap_or(face.ascender())),
        "StemV" => stem_v.round() as i64,
        "FontFile2" => file_id,
    }
}

/// Content-stream number: at most 3 decimals, no exponent, no "-0".
fn num(v: f32) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, FontError> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).map_err(FontError::Compress)?;
    encoder.finish().map_err(FontError::Compress)
}

/// Six uppercase letters derived from the subset bytes (FNV-1a), so identical subsets get the
/// same tag and output stays reproducible, while different subsets of one font differ.
fn subset_tag(subset: &[u8]) -> String {
    let mut hash = subset.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}

/// ToUnicode CMap (PDF 32000-1 9.10.3): CID → UTF-16BE, at most 100 entries per bfchar block.
fn to_unicode_cmap(unicode: &BTreeMap<u16, char>) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = unicode.iter().collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (cid, c) in chunk {
            let utf16: String = c
                .encode_utf16(&mut [0; 2])
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{cid:04X}> <{utf16}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Output};

    const LINES: [&str; 3] = [
        "Số: 05/QĐ-UBND",
        "Bình An, ngày 05 tháng 01 năm 2027",
        "Ủy ban nhân dân tỉnh Bình An",
    ];

    fn serif() -> Option<FontProgram> {
        let error = match FontProgram::system_serif() {
            Ok(font) => return Some(font),
            Err(error) => error,
        };
        let required = std::env::var("VANTHU_TEST_REQUIRE_SERVICES").as_deref() == Ok("1");
        assert!(!required, "VANTHU_TEST_REQUIRE_SERVICES=1 but {error}");
        eprintln!("skipping: {error}");
        None
    }

    /// Runs a poppler tool; None (with a note) when it is not installed.
    fn run(tool: &str, args: &[&str]) -> Option<Output> {
        let output = Command::new(tool).args(args).output();
        output.map_err(|e| eprintln!("skipping {tool}: {e}")).ok()
    }

    fn embedded(texts: &[&str]) -> Option<EmbeddedFont> {
        let font = serif()?;
        Some(embed_subset(&mut Document::with_version("1.7"), &font, texts).unwrap())
    }

    #[test]
    fn vietnamese_pdf_embeds_extracts_and_renders() {
        let Some(font) = serif() else {
            return;
        };
        let mut doc = Document::with_version("1.7");
        let embedded = embed_subset(&mut doc, &font, &LINES).unwrap();
        let mut content = Vec::new();
        for (i, line) in LINES.iter().enumerate() {
            let y = 780.0 - 30.0 * i as f32;
            let show = embedded.show_text("F1", line, 13.0, 72.0, y, [0.0, 0.0, 0.5]);
            content.extend(show.unwrap());
        }
        let pages_id = doc.new_object_id();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => embedded.font_id() } },
        });
        let pages = dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 };
        doc.objects.insert(pages_id, Object::Dictionary(pages));
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vi.pdf");
        doc.save(&path).unwrap();
        let file = path.to_str().unwrap();

        if let Some(out) = run("pdffonts", &[file]) {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let line = stdout.lines().find(|l| l.contains("CID TrueType"));
            let cols: Vec<&str> = line.unwrap_or_default().split_whitespace().collect();
            let tag = cols
                .first()
                .and_then(|name| name.split_once('+'))
                .map(|t| t.0);
            let upper = |t: &str| t.len() == 6 && t.bytes().all(|b| b.is_ascii_uppercase());
            assert!(tag.is_some_and(upper), "{stdout}");
            assert_eq!(cols[cols.len() - 5..cols.len() - 2], ["yes"; 3], "{stdout}");
        }
        if let Some(out) = run("pdftotext", &["-layout", file, "-"]) {
            let text = normalize_nfc(&String::from_utf8_lossy(&out.stdout));
            for line in LINES {
                assert!(text.contains(&normalize_nfc(line)), "{line:?}: {text}");
            }
        }
        let prefix = dir.path().join("page");
        let prefix = prefix.to_str().unwrap();
        if let Some(out) = run("pdftoppm", &["-r", "50", "-png", file, prefix]) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let clean = out.status.success() && !stderr.contains("Syntax Error");
            assert!(clean, "{stderr}");
        }
    }

    #[test]
    fn encode_normalises_and_rejects_characters_outside_the_subset() {
        let Some(font) = embedded(&["Số"]) else {
            return;
        };
        assert_eq!(font.encode("Số").unwrap().len(), 4);
        // Decomposed input (o + circumflex + acute) is NFC-normalised to the same glyph.
        let decomposed = font.encode("So\u{302}\u{301}").unwrap();
        assert_eq!(decomposed, font.encode("Số").unwrap());
        let error = font.encode("Sx").unwrap_err();
        assert!(matches!(error, FontError::NotInSubset { character: 'x' }));
        let show = |name, size| font.show_text(name, "S", size, 0.0, 0.0, [0.0; 3]);
        assert!(show("F 1", 12.0).is_err() && show("F1", f32::NAN).is_err());
        let expected = "BT /F1 12.5 Tf 0 0 0 rg 0 0 Td <0001> Tj ET\n";
        assert_eq!(
            String::from_utf8(show("F1", 12.5).unwrap()).unwrap(),
            expected
        );
    }

    #[test]
    fn text_width_is_positive_and_grows() {
        let Some(font) = embedded(&LINES) else {
            return;
        };
        let short = font.text_width("Bình", 12.0).unwrap();
        let long = font.text_width("Bình An", 12.0).unwrap();
        assert!(short > 0.0 && long > short, "{short} {long}");
        assert!((font.text_width("Bình", 24.0).unwrap() - 2.0 * short).abs() < 1e-3);
    }

    #[test]
    fn missing_glyphs_and_non_fonts_are_errors() {
        let not_a_font = FontProgram::from_bytes(b"not a font".to_vec());
        assert!(matches!(not_a_font, Err(FontError::Invalid(_))));
        let Some(font) = serif() else {
            return;
        };
        assert!(!font.covers("😀") && font.covers("Ủy ban"));
        let error = embed_subset(&mut Document::with_version("1.7"), &font, &["A😀"]).unwrap_err();
        // The message names the character so the operator knows what to fix.
        assert!(error.to_string().contains("'😀' (U+1F600)"), "{error}");
    }
}
