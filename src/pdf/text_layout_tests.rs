use super::*;
use lopdf::{dictionary, Dictionary, Object, Stream};

/// A4 height of the fixtures; pdftotext measures y from the top.
const PAGE_HEIGHT: f32 = 841.889_8;
/// Poppler boxes a glyph from 0.95 em above the baseline to 0.35 em below when the font
/// descriptor has no /Ascent and /Descent (LibreOffice writes 0 for both).
const DESCENT: f32 = 0.35;

fn fixture(name: &str) -> Document {
    let path = format!("{}/tests/fixtures/pdf/{name}", env!("CARGO_MANIFEST_DIR"));
    Document::load(path).expect("fixture loads")
}

/// A pdftotext -bbox-layout word box: xMin, yMin, xMax, yMax (y from the top).
struct Word(f32, f32, f32, f32);

impl Word {
    fn baseline(&self, size: f32) -> f32 {
        PAGE_HEIGHT - (self.3 - DESCENT * size)
    }
    fn top(&self) -> f32 {
        PAGE_HEIGHT - self.1
    }
    fn bottom(&self) -> f32 {
        PAGE_HEIGHT - self.3
    }
}

// Measured with `pdftotext -bbox-layout` (poppler 22); identical in both fixtures.
const SO: Word = Word(58.2, 89.350_76, 75.503, 106.250_76);
const AFTER_SO: f32 = 98.3; // "/QĐ-UBND", "/UBND-VX"
const NGAY: Word = Word(229.185, 89.350_76, 254.444, 106.250_76);
const THANG: Word = Word(274.298, 89.350_76, 303.899, 106.250_76);
const NAM: Word = Word(323.798, 89.350_76, 346.184, 106.250_76);

fn assert_header(landmarks: &Landmarks) {
    let number = landmarks.number_slot.expect("number slot");
    assert!((number.y - SO.baseline(13.0)).abs() < 2.0, "{number:?}");
    assert!(number.y > SO.bottom() && number.y < SO.top());
    assert!((number.x - SO.2).abs() < 1.0, "{number:?}");
    let available = number.available_width.expect("text follows the blank");
    assert!((number.x + available - AFTER_SO).abs() < 1.0, "{number:?}");
    assert!((number.font_size - 13.0).abs() < 0.01);

    let day = landmarks.day_slot.expect("day slot");
    let month = landmarks.month_slot.expect("month slot");
    for (slot, word, next) in [(day, NGAY, THANG.0), (month, THANG, NAM.0)] {
        assert!(slot.x >= word.2 - 0.5 && slot.x < next, "{slot:?}");
        assert!((slot.y - word.baseline(13.0)).abs() < 2.0, "{slot:?}");
        let end = slot.x + slot.available_width.expect("blank has an end");
        assert!((end - next).abs() < 1.0, "{slot:?}");
    }
    assert_eq!(landmarks.year_slot, None, "the year 2027 is printed");
}

fn assert_signature(landmarks: &Landmarks, title: Word, name: Word) {
    let [x1, y1, x2, y2] = landmarks.signature_box.expect("signature box");
    assert!(x1 < x2 && y1 < y2);
    assert!(
        y2 <= title.bottom() + 2.0 && y1 >= name.top() - 2.0,
        "{:?}",
        landmarks
    );
    assert!(y2 - y1 > 40.0, "room for a signature: {:?}", landmarks);
    for word in [&title, &name] {
        assert!(
            x1 < word.2 && x2 > word.0,
            "overlaps horizontally: {:?}",
            landmarks
        );
    }
    let centre = (name.0 + name.2) / 2.0;
    assert!(
        ((x1 + x2) / 2.0 - centre).abs() < 5.0,
        "centred: {:?}",
        landmarks
    );
    assert_eq!(landmarks.page, 1);
}

#[test]
fn quyet_dinh_landmarks_match_pdftotext() {
    for name in ["quyet-dinh.pdf", "quyet-dinh.objstm.pdf"] {
        let landmarks = find_landmarks(&fixture(name)).unwrap();
        assert_header(&landmarks);
        // "CHỦ TỊCH" and "Nguyễn Văn An".
        let title = Word(176.8, 503.550_76, 242.034, 520.450_76);
        let signer = Word(165.1, 593.250_76, 253.864, 610.150_76);
        assert_signature(&landmarks, title, signer);
    }
}

#[test]
fn cong_van_landmarks_match_pdftotext() {
    let landmarks = find_landmarks(&fixture("cong-van.pdf")).unwrap();
    assert_header(&landmarks);
    // "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH", then "Trần Thị Bình".
    let title = Word(136.0, 458.750_76, 232.72, 475.650_76);
    let signer = Word(143.9, 548.450_76, 224.773, 565.350_76);
    assert_signature(&landmarks, title, signer);
}

#[test]
fn lines_read_the_fixture_text() {
    for name in ["quyet-dinh.pdf", "quyet-dinh.objstm.pdf"] {
        let lines = page_lines(&fixture(name), 1).unwrap();
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert!(texts.contains(&"QUYẾT ĐỊNH"), "{texts:#?}");
        assert!(
            texts.contains(&"Số: /QĐ-UBND Bình An, ngày tháng năm 2027"),
            "{texts:#?}"
        );
        assert!(
            texts.contains(&"ỦY BAN NHÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT"),
            "{texts:#?}"
        );
        assert!(texts.contains(&"TM. ỦY BAN NHÂN") && texts.contains(&"Nguyễn Văn An"));
        assert!(lines.windows(2).all(|w| w[0].y > w[1].y), "top to bottom");
        let so = lines.iter().find(|l| l.text.starts_with("Số:")).unwrap();
        assert!((so.x - SO.0).abs() < 0.5 && (so.y - SO.baseline(13.0)).abs() < 2.0);
    }
    let spans = page_spans(&fixture("cong-van.pdf"), 1).unwrap();
    assert!(spans
        .iter()
        .all(|s| search_index::normalize_nfc(&s.text) == s.text));
    // LibreOffice shows "Số: " (with its space) in one TJ.
    let so = spans
        .iter()
        .find(|s| s.text.trim_end() == "Số:")
        .expect("one span");
    assert!(
        (so.x - SO.0).abs() < 0.01 && so.width > SO.2 - SO.0,
        "{so:?}"
    );
    assert!(matches!(
        page_lines(&fixture("cong-van.pdf"), 2),
        Err(TextLayoutError::NoSuchPage(2))
    ));
}

// -----------------------------------------------------------------------------------------
// Synthetic documents

/// A one-page document whose fonts `fonts` builds (it may add objects).
fn document(content: &[u8], fonts: impl FnOnce(&mut Document) -> Dictionary) -> Document {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_dict = fonts(&mut doc);
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content.to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => font_dict },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc
}

/// F1: a simple font, WinAnsi plus /Differences with uniXXXX, Adobe, ligature and suffixed
/// names; every glyph 500 wide except A–E (600…1000). F2: Type0 Identity-H with a ToUnicode
/// CMap (bfchar, bfrange and the array form) and /W in both forms.
fn fonts(doc: &mut Document) -> Dictionary {
    let mut widths: Vec<Object> = vec![500.into(); 256];
    for (i, w) in [600, 700, 800, 900, 1000].into_iter().enumerate() {
        widths[65 + i] = w.into();
    }
    let differences: Vec<Object> = vec![
        1.into(),
        Object::Name(b"uni1ED1".to_vec()), // ố
        Object::Name(b"abreve".to_vec()),  // ă
        Object::Name(b"uni1EE6".to_vec()), // Ủ
        Object::Name(b"Ohorn".to_vec()),   // Ơ
        Object::Name(b"dcroat".to_vec()),  // đ
        Object::Name(b"f_i".to_vec()),     // fi
        Object::Name(b"a.sc".to_vec()),    // a
        Object::Name(b"g123".to_vec()),    // unknown
        Object::Name(b"uni0065".to_vec()), // e, then a combining circumflex and acute
        Object::Name(b"uni0302".to_vec()),
        Object::Name(b"uni0301".to_vec()),
    ];
    let f1 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Test-Bold",
            "FirstChar" => 0, "Widths" => widths,
            "Encoding" => dictionary! { "Type" => "Encoding", "BaseEncoding" => "WinAnsiEncoding", "Differences" => differences },
        });
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
            1 begincodespacerange <0000> <FFFF> endcodespacerange
            2 beginbfchar <0001> <0053> <0002> <1ED1> endbfchar
            2 beginbfrange <0003> <0005> <0041> <0010> <0012> [<0110> <01A1> <00660069>] endbfrange
            endcmap CMapName currentdict /CMap defineresource pop end end";
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap.to_vec()));
    let descendant = dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Test",
        "DW" => 1000,
        "W" => vec![1.into(), vec![400.into(), 600.into()].into(), 3.into(), 5.into(), 250.into()],
    };
    let f2 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Test", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()], "ToUnicode" => to_unicode,
    });
    // F3: WinAnsi, but ToUnicode says code 0x41 is "Ư": ToUnicode wins.
    let cmap = b"begincmap 1 beginbfchar <41> <01AF> endbfchar endcmap";
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap.to_vec()));
    let f3 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "Test",
        "Encoding" => "WinAnsiEncoding", "ToUnicode" => to_unicode,
    });
    dictionary! { "F1" => f1, "F2" => f2, "F3" => f3 }
}

fn spans_of(content: &[u8]) -> Vec<TextSpan> {
    page_spans(&document(content, fonts), 1).unwrap()
}

#[test]
fn decodes_differences_names_and_measures_widths() {
    let spans = spans_of(
        b"BT /F1 10 Tf 100 700 Td (\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0bABCDE) Tj ET",
    );
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].text, "ốăỦƠđfia\u{FFFD}ếABCDE");
    assert_eq!(
        (spans[0].x, spans[0].y, spans[0].font_size),
        (100.0, 700.0, 10.0)
    );
    assert!(
        (spans[0].width - (11.0 * 5.0 + 40.0)).abs() < 1e-3,
        "{spans:?}"
    );
}

#[test]
fn decodes_type0_identity_h_with_to_unicode_and_cid_widths() {
    let spans =
        spans_of(b"BT /F2 10 Tf 50 600 Td <0001000200030004000500100011001200130099> Tj ET");
    assert_eq!(spans[0].text, "SốABCĐơfi\u{FFFD}\u{FFFD}");
    // CIDs 1, 2: 400, 600; 3–5: 250; 0x10… : DW 1000.
    let expected = (400.0 + 600.0 + 3.0 * 250.0 + 5.0 * 1000.0) / 100.0;
    assert!((spans[0].width - expected).abs() < 1e-3, "{spans:?}");
    // ToUnicode wins over /Encoding.
    assert_eq!(spans_of(b"BT /F3 10 Tf (AA) Tj ET")[0].text, "ƯƯ");
}

#[test]
fn honours_text_state_and_matrices() {
    // Tc, Tw (on byte 32 only) and Tz: (600 + 2 + 500 + 2 + 3 + 700 + 2) * 0.5 = 904.5 / 100 … in points.
    let s = spans_of(b"BT /F1 10 Tf 2 Tc 3 Tw 50 Tz (A B) Tj ET");
    assert!(
        (s[0].width - ((6.0 + 2.0 + 5.0 + 2.0 + 3.0 + 7.0) * 0.5)).abs() < 1e-3,
        "{s:?}"
    );
    // cm and Tm compose; font size is scaled to page space; q/Q restores the CTM.
    let s = spans_of(b"q 2 0 0 2 10 20 cm BT /F1 10 Tf 1 0 0 1 5 5 Tm (A) Tj ET Q BT /F1 10 Tf 1 0 0 1 5 5 Tm (B) Tj ET");
    let a = s.iter().find(|s| s.text == "A").unwrap();
    let b = s.iter().find(|s| s.text == "B").unwrap();
    assert_eq!((a.x, a.y, a.font_size, a.width), (20.0, 30.0, 20.0, 12.0));
    assert_eq!((b.x, b.y, b.font_size), (5.0, 5.0, 10.0));
    // TD sets the leading, T*, ' and " use it; " also sets Tw and Tc.
    let s =
        spans_of(b"BT /F1 10 Tf 100 500 Td (A) Tj 0 -20 TD (B) Tj T* (C) Tj (D) ' 1 2 (E) \" ET");
    let ys: Vec<(String, f32, f32)> = s.iter().map(|s| (s.text.clone(), s.x, s.y)).collect();
    assert_eq!(
        ys,
        [
            ("A", 100.0, 500.0),
            ("B", 100.0, 480.0),
            ("C", 100.0, 460.0),
            ("D", 100.0, 440.0),
            ("E", 100.0, 420.0)
        ]
        .map(|(t, x, y)| (t.to_string(), x, y))
    );
    // TJ: small adjustments kern, a wide one is a word space.
    let s = spans_of(b"BT /F1 10 Tf 0 0 Td [(A) 100 (B) -3000 (C)] TJ ET");
    assert_eq!(s[0].text, "AB C");
    assert!(
        (s[0].width - (6.0 - 1.0 + 7.0 + 30.0 + 8.0)).abs() < 1e-3,
        "{s:?}"
    );
    // Ts does not move the reported baseline.
    assert_eq!(
        spans_of(b"BT /F1 10 Tf 0 100 Td 3 Ts (A) Tj ET")[0].y,
        100.0
    );
}

#[test]
fn finds_a_split_label_and_date_blanks_in_a_synthetic_header() {
    // "Số:" as three spans; "Hà Nội, ngày  tháng  năm" with all three blanks open; then
    // a printed date below that must not be chosen.
    let content = b"BT /F1 13 Tf 60 780 Td (S) Tj 6.5 0 Td (\x01) Tj 6.5 0 Td (:) Tj ET
            BT /F1 13 Tf 200 780 Td (B\xecnh An, ng\xe0y) Tj 100 0 Td (th\xe1ng) Tj 60 0 Td (n\x02m) Tj ET
            BT /F1 13 Tf 60 700 Td (ng\xe0y 05 th\xe1ng 3 n\x02m 2027) Tj ET";
    let doc = document(content, fonts);
    let lines = page_lines(&doc, 1).unwrap();
    assert_eq!(lines[0].text, "Số: Bình An, ngày tháng năm", "{lines:#?}");
    let landmarks = find_landmarks(&doc).unwrap();
    let number = landmarks.number_slot.unwrap();
    assert_eq!((number.x, number.y), (60.0 + 13.0 + 6.5, 780.0));
    assert_eq!(number.available_width, Some(200.0 - 79.5));
    let day = landmarks.day_slot.unwrap();
    // 13 glyphs 500 wide, "B" and "A" 200 and 100 more.
    assert!((day.x - (200.0 + 6.5 * 13.0 + 3.9)).abs() < 1e-3, "{day:?}");
    assert!((day.available_width.unwrap() - (300.0 - day.x)).abs() < 1e-3);
    assert_eq!(
        landmarks.month_slot.unwrap().available_width,
        Some(60.0 - 32.5)
    );
    let year = landmarks.year_slot.expect("no year printed");
    assert_eq!(
        (year.x, year.y, year.available_width),
        (360.0 + 19.5, 780.0, None)
    );
    assert_eq!(landmarks.signature_box, None);
}

#[test]
fn finds_a_bold_title_without_authority_mark() {
    // The head signs in person: "GIÁM ĐỐC" (bold F1) with a name four lines below, next
    // to a "Nơi nhận" column in F3 (not bold) that shares no column with it.
    let content = b"BT /F1 13 Tf 300 300 Td (GI\xc1M \xd0\xd4C) Tj ET
            BT /F3 11 Tf 60 290 Td (N\xf4i nh\xe2n:) Tj 0 -13 Td (- L\xfau: VT.) Tj ET
            BT /F1 13 Tf 290 230 Td (Nguy\xean V\xe0n B) Tj ET";
    let landmarks = find_landmarks(&document(content, fonts)).unwrap();
    let [x1, y1, x2, y2] = landmarks.signature_box.expect("signature box");
    assert!((y2 - (300.0 - 0.35 * 13.0)).abs() < 1e-3 && (y1 - (230.0 + 0.95 * 13.0)).abs() < 1e-3);
    assert!(x1 == 290.0 && x2 > 340.0, "{landmarks:?}");
    assert_eq!(landmarks.number_slot, None);
    // Not bold and no mark: nothing is guessed.
    let plain = b"BT /F3 13 Tf 300 300 Td (GIAM DOC) Tj 0 -70 Td (Nguyen Van B) Tj ET";
    assert_eq!(
        find_landmarks(&document(plain, fonts))
            .unwrap()
            .signature_box,
        None
    );
}

#[test]
fn many_title_lines_are_searched_in_bounded_time() {
    let mut content = Vec::new();
    for i in 0..30_000 {
        content.extend(
            format!(
                "BT /F1 10 Tf {} {} Td (TM. X) Tj ET\n",
                (i % 7) * 40,
                800 - i * 3
            )
            .as_bytes(),
        );
    }
    let started = std::time::Instant::now();
    let landmarks = find_landmarks(&document(&content, fonts)).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(landmarks.signature_box, None);
}

#[test]
fn hostile_content_errors_or_yields_nothing() {
    let mut huge_tj = b"BT /F1 12 Tf [".to_vec();
    huge_tj.extend(b"(AB) -10 ".repeat(150_000));
    huge_tj.extend(b"] TJ ET");
    let many_operators = b"q Q ".repeat(MAX_OPERATORS);
    let mut deep = b"q ".repeat(100_000);
    deep.extend(b"BT /F1 12 Tf (A) Tj ET ");
    deep.extend(b"Q ".repeat(100_001));
    let streams: Vec<Vec<u8>> = vec![
        b"BT /Nope 12 Tf (abc) Tj [(x) -5000 (y)] TJ ET".to_vec(),
        b"BT Tf Tj TJ Td TD Tm T* ' \" cm 1 2 Tf /F1 Tj /F1 /F1 Tf ] [ ( <zz> >> ET ET Q Q Q"
            .to_vec(),
        b"1e38 0 0 1e38 0 0 cm 1e38 0 0 1e38 0 0 cm BT /F1 1e30 Tf 1e38 1e38 Td (A) Tj ET".to_vec(),
        b"BT /F1 12 Tf 0 0 0 0 0 0 Tm (A) Tj 0 Tz (B) Tj ET".to_vec(),
        b"BT /F2 12 Tf <0001 00> Tj <> Tj ( ) Tj ET BT /F1 12 Tf (((( ".to_vec(),
        huge_tj,
        many_operators,
        deep,
    ];
    for content in &streams {
        let doc = document(content, fonts);
        let spans = page_spans(&doc, 1);
        assert!(spans
            .iter()
            .flatten()
            .all(|s| s.x.is_finite() && s.y.is_finite() && s.width.is_finite()));
        let _ = find_landmarks(&doc);
    }
    let error = |content: &[u8]| page_spans(&document(content, fonts), 1).unwrap_err();
    assert!(matches!(
        error(&streams[5]),
        TextLayoutError::TooManyGlyphs { .. }
    ));
    assert!(matches!(
        error(&streams[6]),
        TextLayoutError::TooManyOperators { .. }
    ));
    assert!(page_spans(&document(&streams[0], fonts), 1)
        .unwrap()
        .is_empty());
}

#[test]
fn hostile_fonts_do_not_panic() {
    let cmap = b"begincmap 1 beginbfrange <00> <FFFFFFFF> [<0041>] <0000> <FFFF> <D800> <05> <01> <0041> endbfrange
            2 beginbfchar <0001> <> <> <0041> <0102030405> <0042> endbfchar 1 begincodespacerange <00> endcmap";
    let hostile = |doc: &mut Document| {
        let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap.to_vec()));
        let encoding = doc.add_object(Stream::new(Dictionary::new(), b"begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange begincidrange <8000> <FFFF> 4294967295 endcidrange begincidchar <01> -5 endcidchar".to_vec()));
        let descendant = dictionary! { "W" => vec![0.into(), vec![Object::Real(f32::NAN)].into(), 1.into(), (-1).into(), 5.into(), 4_294_967_295_i64.into(), 1.into(), 2.into(), "x".into()], "DW" => Object::Real(1e30) };
        let type0 = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type0", "Encoding" => encoding, "ToUnicode" => to_unicode, "DescendantFonts" => vec![descendant.into()] });
        let simple = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type3", "FontMatrix" => vec![Object::Real(f32::INFINITY)], "FirstChar" => -100, "Widths" => vec!["a".into()], "Encoding" => dictionary! { "Differences" => vec![(-5).into(), "uniD800".into(), 300.into(), "u110000".into(), "glyph".into()] }, "ToUnicode" => to_unicode });
        let cyclic = doc.new_object_id();
        doc.objects.insert(cyclic, Object::Reference(cyclic));
        dictionary! { "F1" => type0, "F2" => simple, "F3" => cyclic }
    };
    let content = b"BT /F1 12 Tf <00018000FFFF7F> Tj [<01> -99999999999 <8001>] TJ /F2 12 Tf (\x00\x01\xff) Tj /F3 12 Tf (A) Tj ET";
    let doc = document(content, hostile);
    let spans = page_spans(&doc, 1).unwrap();
    assert!(
        spans.iter().all(|s| s.x.is_finite() && s.width.is_finite()),
        "{spans:?}"
    );
    let _ = find_landmarks(&doc).unwrap();
}
