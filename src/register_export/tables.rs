//! Plain tables (a heading row and text cells) as CSV or as an XLSX workbook with one sheet
//! per table: for reports other than the register, such as compliance, so the spreadsheet
//! library stays inside this module.

use rust_xlsxwriter::{Format, Workbook};

use super::RegisterExportError;

#[derive(Debug, Clone)]
pub struct Table {
    /// Sheet name (at most 31 characters in XLSX).
    pub name: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One table as CSV, with the same BOM, quoting and formula guard as the register's CSV.
pub fn table_to_csv(table: &Table) -> String {
    let mut out = String::from('\u{feff}');
    super::csv::push_record(&mut out, table.headings.iter().map(String::as_str));
    for row in &table.rows {
        super::csv::push_record(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// The tables as one workbook, a sheet each, bold headings, frozen below them; cells are
/// written as strings, never formulas.
pub fn tables_to_xlsx(tables: &[Table]) -> Result<Vec<u8>, RegisterExportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.name.chars().take(31).collect::<String>())?;
        for (column, heading) in table.headings.iter().enumerate() {
            let column = u16::try_from(column).unwrap_or(u16::MAX);
            sheet.set_column_width(column, 18)?;
            sheet.write_string_with_format(0, column, heading, &bold)?;
        }
        for (index, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(index + 1).unwrap_or(u32::MAX);
            for (column, cell) in row.iter().enumerate() {
                let column = u16::try_from(column).unwrap_or(u16::MAX);
                sheet.write_string_with_format(r, column, cell, &wrap)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(workbook.save_to_buffer()?)
}
