//! The printed register: an A4 landscape PDF table in the shape of the App. IV form.
//!
//! Layout is done here by hand (lopdf only writes objects): cells are word-wrapped with the
//! font's advance widths, rows move to the next page whole when they fit there, the heading
//! row and its "(1) … (10)" numbering are redrawn on every page so each sheet of the bound
//! register can be read alone, and every page gets "Trang n/N".

use lopdf::{dictionary, Document, Object, Stream, StringFormat};

use super::wrap::{wrap, Sanitizer};
use super::{statutory_cells, Align, RegisterExportError, RegisterHeader, RegisterRow, COLUMNS};
use crate::signing::font::{embed_subset, EmbeddedFont, FontProgram};

const PAGE_WIDTH: f32 = 842.0;
const PAGE_HEIGHT: f32 = 595.0;
/// Wider on the left for binding, as for any kept register.
const MARGIN_LEFT: f32 = 40.0;
const MARGIN_TOP: f32 = 36.0;
/// Leaves room for the page number below the table.
const MARGIN_BOTTOM: f32 = 40.0;
/// 842 − 40 − 28: the right margin is 28 pt (1 cm).
pub(crate) const TABLE_WIDTH: f32 = 774.0;
const BODY_SIZE: f32 = 9.0;
const HEADING_SIZE: f32 = 9.5;
const PAD: f32 = 3.0;
const LEADING: f32 = 1.2;
/// From the top of a line box to its baseline, as a fraction of the size: room for the
/// stacked marks of capitals such as "Ổ".
const ASCENT: f32 = 0.95;
const BLACK: [f32; 3] = [0.0; 3];
/// Resource name of the subset font on every page.
const FONT: &str = "F1";
/// Characters of the page numbers, which are only known after layout.
const PAGE_LABEL_CHARS: &str = "Trang 0123456789/";
/// Lines each title-block field may take on the first page.
const MAX_TITLE_LINES: usize = 3;

/// The register as PDF bytes. All text goes through one subset of `font` (NFC, characters the
/// font lacks shown as "?"), so the file is self-contained and `pdftotext` gives the text back.
pub fn to_pdf(
    header: &RegisterHeader,
    rows: &[RegisterRow],
    font: &FontProgram,
) -> Result<Vec<u8>, RegisterExportError> {
    let mut sanitizer = Sanitizer::new(font);
    let mut clean_line = |text: &str| sanitizer.clean(text).replace('\n', " ");
    let organ = match header.organ_id.trim() {
        "" => String::new(),
        id => format!("Mã định danh: {id}"),
    };
    let title_lines = [
        clean_line(&header.agency_name),
        clean_line(&organ),
        clean_line(&header.title),
        clean_line(&header.period),
    ];
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|row| statutory_cells(row).map(|cell| sanitizer.clean(&cell)))
        .collect();

    let mut document = Document::with_version("1.7");
    let numbers: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("({i})")).collect();
    let mut texts: Vec<&str> = vec![PAGE_LABEL_CHARS];
    texts.extend(title_lines.iter().map(String::as_str));
    texts.extend(COLUMNS.iter().map(|c| c.heading));
    texts.extend(numbers.iter().map(String::as_str));
    // embed_subset rejects line breaks; the sanitizer left them only between paragraphs.
    texts.extend(cells.iter().flatten().flat_map(|cell| cell.split('\n')));
    let embedded = embed_subset(&mut document, font, &texts)?;

    let mut layout = Layout::new(&embedded, &numbers)?;
    layout.start_page(Some(&title_lines))?;
    for row in &cells {
        layout.add_row(row)?;
    }
    let pages = layout.finish()?;
    assemble(document, pages, &embedded, &header.title)
}

/// A cell's lines, ready to draw.
type CellLines = Vec<String>;

/// How a table row is drawn: headings bold and centred both ways, the "(1) … (10)" numbering
/// centred like on the printed form, register entries top-aligned with the column's alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Heading,
    Numbering,
    Body,
}

struct Layout<'a> {
    font: &'a EmbeddedFont,
    headings: Vec<CellLines>,
    heading_height: f32,
    numbers: Vec<CellLines>,
    /// Finished pages' content streams.
    pages: Vec<Vec<u8>>,
    content: Vec<u8>,
    /// Cursor: the top of the next title line or table row.
    y: f32,
    /// y of every horizontal rule of the current page's table, top first.
    rules: Vec<f32>,
    /// Whether the current page has a register entry yet; only then may a row move on.
    has_rows: bool,
}

impl<'a> Layout<'a> {
    fn new(font: &'a EmbeddedFont, numbers: &[String]) -> Result<Self, RegisterExportError> {
        let mut headings = Vec::new();
        for column in &COLUMNS {
            headings.push(wrap(
                font,
                column.heading,
                HEADING_SIZE,
                column.pdf_width - 2.0 * PAD,
            )?);
        }
        let most = headings.iter().map(Vec::len).max().unwrap_or(1);
        Ok(Layout {
            font,
            headings,
            heading_height: height(most, HEADING_SIZE),
            numbers: numbers.iter().map(|n| vec![n.clone()]).collect(),
            pages: Vec::new(),
            content: Vec::new(),
            y: PAGE_HEIGHT - MARGIN_TOP,
            rules: Vec::new(),
            has_rows: false,
        })
    }

    /// Opens a page: the title block (first page only), then the shaded heading row and the
    /// column numbering, which is what "header row repeated on every page" means on paper.
    fn start_page(&mut self, title: Option<&[String; 4]>) -> Result<(), RegisterExportError> {
        self.y = PAGE_HEIGHT - MARGIN_TOP;
        if let Some([agency, organ, title, period]) = title {
            self.text_line(agency, 11.0, Some(MARGIN_LEFT), true)?;
            self.text_line(organ, 10.0, Some(MARGIN_LEFT), false)?;
            self.y -= 8.0;
            self.text_line(title, 15.0, None, true)?;
            self.text_line(period, 11.0, None, false)?;
            self.y -= 10.0;
        }
        self.rules.push(self.y);
        let top = self.y;
        let shade = format!(
            "q 0.9 g {} {} {} {} re f Q\n",
            MARGIN_LEFT,
            top - self.heading_height,
            TABLE_WIDTH,
            self.heading_height
        );
        self.content.extend(shade.into_bytes());
        // Moved out and back because draw_cells borrows the whole layout mutably.
        let headings = std::mem::take(&mut self.headings);
        let drawn = self.draw_cells(&headings, 0, self.heading_height, RowKind::Heading);
        self.headings = headings;
        drawn?;
        let numbers = std::mem::take(&mut self.numbers);
        let drawn = self.draw_cells(&numbers, 0, height(1, BODY_SIZE), RowKind::Numbering);
        self.numbers = numbers;
        drawn?;
        self.has_rows = false;
        Ok(())
    }

    /// One line of the title block, left-aligned at `x` or centred on the table. Text wider
    /// than the table wraps, up to [`MAX_TITLE_LINES`] so an overlong header cannot push the
    /// table off the page.
    fn text_line(
        &mut self,
        text: &str,
        size: f32,
        x: Option<f32>,
        bold: bool,
    ) -> Result<(), RegisterExportError> {
        let lines = wrap(self.font, text, size, TABLE_WIDTH)?;
        for line in lines.iter().take(MAX_TITLE_LINES) {
            self.y -= size * LEADING;
            let width = self.font.text_width(line, size)?;
            let x = x.unwrap_or(MARGIN_LEFT + (TABLE_WIDTH - width) / 2.0);
            self.show(line, size, x, self.y + size * (LEADING - ASCENT), bold)?;
        }
        if lines.is_empty() {
            self.y -= size * LEADING;
        }
        Ok(())
    }

    /// Places one register row; a row that does not fit goes to a new page, and only a row
    /// taller than a whole page is split, so a short entry is never torn across two sheets.
    fn add_row(&mut self, cells: &[String; 10]) -> Result<(), RegisterExportError> {
        let mut wrapped = Vec::with_capacity(COLUMNS.len());
        for (text, column) in cells.iter().zip(COLUMNS.iter()) {
            wrapped.push(wrap(
                self.font,
                text,
                BODY_SIZE,
                column.pdf_width - 2.0 * PAD,
            )?);
        }
        let total = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut first = 0;
        while first < total {
            let room = self.y - MARGIN_BOTTOM;
            let needed = height(total - first, BODY_SIZE);
            if needed <= room {
                self.draw_cells(&wrapped, first, needed, RowKind::Body)?;
                self.has_rows = true;
                return Ok(());
            }
            if !self.has_rows {
                let fit = ((room - 2.0 * PAD) / (BODY_SIZE * LEADING))
                    .floor()
                    .max(1.0) as usize;
                let part: Vec<CellLines> = wrapped
                    .iter()
                    .map(|c| c.iter().take(first + fit).cloned().collect())
                    .collect();
                self.draw_cells(&part, first, height(fit, BODY_SIZE), RowKind::Body)?;
                first += fit;
            }
            self.end_page();
            self.start_page(None)?;
        }
        Ok(())
    }

    /// Draws lines `first..` of each cell into a row of `row_height` at the cursor and records
    /// its bottom rule.
    fn draw_cells(
        &mut self,
        cells: &[CellLines],
        first: usize,
        row_height: f32,
        kind: RowKind,
    ) -> Result<(), RegisterExportError> {
        let heading = kind == RowKind::Heading;
        let size = if heading { HEADING_SIZE } else { BODY_SIZE };
        let lead = size * LEADING;
        let mut x = MARGIN_LEFT;
        for (lines, column) in cells.iter().zip(COLUMNS.iter()) {
            let shown = lines.get(first..).unwrap_or_default();
            let slack = row_height - height(shown.len(), size);
            let top = self.y - PAD - if heading { slack / 2.0 } else { 0.0 };
            for (i, line) in shown.iter().enumerate() {
                let width = self.font.text_width(line, size)?;
                let left = match (kind, column.align) {
                    (RowKind::Body, Align::Left) => x + PAD,
                    _ => x + (column.pdf_width - width) / 2.0,
                };
                self.show(
                    line,
                    size,
                    left,
                    top - size * ASCENT - i as f32 * lead,
                    heading,
                )?;
            }
            x += column.pdf_width;
        }
        self.y -= row_height;
        self.rules.push(self.y);
        Ok(())
    }

    /// Text in black; "bold" is the regular face filled and stroked with a thin outline
    /// (rendering mode 2), which needs no second font and still extracts as plain text.
    fn show(
        &mut self,
        text: &str,
        size: f32,
        x: f32,
        y: f32,
        bold: bool,
    ) -> Result<(), RegisterExportError> {
        let ops = self.font.show_text(FONT, text, size, x, y, BLACK)?;
        if bold {
            self.content
                .extend_from_slice(format!("q 2 Tr {:.2} w 0 G\n", size * 0.03).as_bytes());
            self.content.extend(ops);
            self.content.extend_from_slice(b"Q\n");
        } else {
            self.content.extend(ops);
        }
        Ok(())
    }

    /// Rules the current page's table: full-width lines under every row and column lines from
    /// the top of the heading to the bottom of the last row.
    fn end_page(&mut self) {
        let (Some(&top), Some(&bottom)) = (self.rules.first(), self.rules.last()) else {
            return;
        };
        let right = MARGIN_LEFT + TABLE_WIDTH;
        let mut ops = String::from("q 0.5 w 0 G\n");
        for y in &self.rules {
            ops.push_str(&format!("{MARGIN_LEFT} {y:.2} m {right} {y:.2} l\n"));
        }
        let mut x = MARGIN_LEFT;
        for width in std::iter::once(0.0).chain(COLUMNS.iter().map(|c| c.pdf_width)) {
            x += width;
            ops.push_str(&format!("{x:.2} {top:.2} m {x:.2} {bottom:.2} l\n"));
        }
        ops.push_str("S Q\n");
        self.content.extend(ops.into_bytes());
        self.rules.clear();
        self.pages.push(std::mem::take(&mut self.content));
    }

    /// Closes the last page and stamps "Trang n/N" at the bottom centre of every page.
    fn finish(mut self) -> Result<Vec<Vec<u8>>, RegisterExportError> {
        self.end_page();
        let count = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (i, content) in pages.iter_mut().enumerate() {
            let label = format!("Trang {}/{count}", i + 1);
            let width = self.font.text_width(&label, BODY_SIZE)?;
            let x = MARGIN_LEFT + (TABLE_WIDTH - width) / 2.0;
            content.extend(
                self.font
                    .show_text(FONT, &label, BODY_SIZE, x, 20.0, BLACK)?,
            );
        }
        Ok(pages)
    }
}

/// Height of a row showing `lines` lines (at least one, so empty rows stay visible).
fn height(lines: usize, size: f32) -> f32 {
    lines.max(1) as f32 * size * LEADING + 2.0 * PAD
}

/// Pages, page tree, catalog and document title; content streams are deflated.
fn assemble(
    mut document: Document,
    pages: Vec<Vec<u8>>,
    font: &EmbeddedFont,
    title: &str,
) -> Result<Vec<u8>, RegisterExportError> {
    let pages_id = document.new_object_id();
    let resources_id = document.add_object(dictionary! {
        "Font" => dictionary! { FONT => font.font_id() },
    });
    let mut kids = Vec::with_capacity(pages.len());
    for content in pages {
        let mut stream = Stream::new(dictionary! {}, content);
        stream.compress()?;
        let content_id = document.add_object(stream);
        kids.push(Object::from(document.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), (PAGE_WIDTH as i64).into(), (PAGE_HEIGHT as i64).into()],
        })));
    }
    let count = kids.len() as i64;
    let tree = dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count };
    document.objects.insert(pages_id, Object::Dictionary(tree));
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    // A PDF text string outside PDFDocEncoding is UTF-16BE with a byte order mark.
    let utf16: Vec<u8> = [0xFEFF_u16]
        .into_iter()
        .chain(title.encode_utf16())
        .flat_map(u16::to_be_bytes)
        .collect();
    let info_id = document.add_object(dictionary! {
        "Title" => Object::String(utf16, StringFormat::Hexadecimal),
        "Producer" => Object::string_literal("vanthu"),
    });
    document.trailer.set("Info", info_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).map_err(lopdf::Error::from)?;
    Ok(bytes)
}
