//! What each layer adds to the PDF, in one incremental revision each.
//!
//! Layer 1 (personal): the personal signature field, signed, with the blue signature image;
//! and, unsigned and empty, everything layer 2 will fill: the agency signature field where the
//! seal goes and read-only text fields over the blanks for the number and the date. Because
//! these fields exist when layer 1 is signed, filling them later is "form filling", which
//! layer 1 permits (the page content is never touched).
//!
//! Layer 2 (agency): fills the text fields with the number and date (subset-embedded serif
//! font) and signs the agency field, whose appearance is the red seal.

use lopdf::{dictionary, Object, ObjectId};

use super::appearance;
use super::font::{self, FontProgram};
use super::layout::{FieldPlan, TextSlot};
use super::pdf_update::{
    self as update, FieldKind, PdfSignError, Placement, PreparedPdf, SignatureInfo, AGENCY_FIELD,
    PERSONAL_FIELD,
};
use super::prepared_image::PreparedImage;
use super::signing_input::SigningInput;

pub const NUMBER_FIELD: &str = "SoVanBan";
pub const DAY_FIELD: &str = "NgayBanHanh_Ngay";
pub const MONTH_FIELD: &str = "NgayBanHanh_Thang";
pub const YEAR_FIELD: &str = "NgayBanHanh_Nam";

/// The texts layer 2 writes.
#[derive(Debug, Clone)]
pub struct IssueTexts {
    /// What goes after "Số:" — the ordinal only ("05") or the whole "05/QĐ-UBND".
    pub number: String,
    pub day: String,
    pub month: String,
    pub year: String,
}

pub fn prepare_personal(
    input: SigningInput,
    plan: &FieldPlan,
    signature_image: &PreparedImage,
    info: &SignatureInfo,
) -> Result<PreparedPdf, PdfSignError> {
    let (mut doc, appended_from) = input.into_update();
    if update::find_field(doc.get_prev_documents(), PERSONAL_FIELD)?.is_some() {
        return Err(PdfSignError::AlreadySigned(PERSONAL_FIELD.into()));
    }
    let signature = update::add_signature_dictionary(&mut doc, info);
    let image_id = signature_image.add_to(&mut doc.new_document);
    let personal_ap = appearance::image(
        &mut doc.new_document,
        plan.signature.rect,
        signature_image.aspect(),
        image_id,
    );
    let mut widgets: Vec<(ObjectId, u32)> = Vec::new();
    let page = update::page_id(doc.get_prev_documents(), plan.signature.page)?;
    widgets.push((
        update::add_widget(
            &mut doc,
            PERSONAL_FIELD,
            page,
            plan.signature.rect,
            FieldKind::Signature(Some(signature)),
            personal_ap,
        ),
        plan.signature.page,
    ));
    let seal_ap = appearance::blank(&mut doc.new_document, plan.seal.rect);
    let seal_page = update::page_id(doc.get_prev_documents(), plan.seal.page)?;
    widgets.push((
        update::add_widget(
            &mut doc,
            AGENCY_FIELD,
            seal_page,
            plan.seal.rect,
            FieldKind::Signature(None),
            seal_ap,
        ),
        plan.seal.page,
    ));
    for (name, slot) in text_slots(plan) {
        let ap = appearance::blank(&mut doc.new_document, slot.placement.rect);
        let slot_page = update::page_id(doc.get_prev_documents(), slot.placement.page)?;
        widgets.push((
            update::add_widget(
                &mut doc,
                name,
                slot_page,
                slot.placement.rect,
                FieldKind::Text,
                ap,
            ),
            slot.placement.page,
        ));
    }
    attach_all(&mut doc, &widgets, true)?;
    update::finish(appended_from, doc)
}

fn text_slots(plan: &FieldPlan) -> Vec<(&'static str, TextSlot)> {
    [
        (NUMBER_FIELD, plan.number),
        (DAY_FIELD, plan.day),
        (MONTH_FIELD, plan.month),
        (YEAR_FIELD, plan.year),
    ]
    .into_iter()
    .filter_map(|(name, slot)| slot.map(|s| (name, s)))
    .collect()
}

/// Puts the widgets on their pages and into the form; `text_fields` when any is a text field.
fn attach_all(
    doc: &mut lopdf::IncrementalDocument,
    widgets: &[(ObjectId, u32)],
    text_fields: bool,
) -> Result<(), PdfSignError> {
    let mut pages: Vec<u32> = widgets.iter().map(|(_, p)| *p).collect();
    pages.sort_unstable();
    pages.dedup();
    for page in pages {
        let ids: Vec<ObjectId> = widgets
            .iter()
            .filter(|(_, p)| *p == page)
            .map(|(id, _)| *id)
            .collect();
        let page_id = update::page_id(doc.get_prev_documents(), page)?;
        update::attach_widgets(doc, page_id, &ids)?;
    }
    let ids: Vec<ObjectId> = widgets.iter().map(|(id, _)| *id).collect();
    update::register_fields(doc, &ids, text_fields)
}

/// Layer 2. `fallback_seal` places a new agency field when the file's layer 1 came from
/// another system and pre-created none.
pub fn prepare_agency(
    input: SigningInput,
    texts: &IssueTexts,
    seal_image: &PreparedImage,
    font: &FontProgram,
    fallback_seal: Placement,
    info: &SignatureInfo,
) -> Result<PreparedPdf, PdfSignError> {
    let (mut doc, appended_from) = input.into_update();
    let prev = doc.get_prev_documents();
    let personal = update::find_field(prev, PERSONAL_FIELD)?;
    let layer_one_present = personal.is_some_and(|id| update::field_is_signed(prev, id))
        || update::has_any_signed_field(prev)?;
    if !layer_one_present {
        return Err(PdfSignError::MissingPersonalSignature);
    }
    let agency = update::find_field(prev, AGENCY_FIELD)?;
    if agency.is_some_and(|id| update::field_is_signed(prev, id)) {
        return Err(PdfSignError::AlreadySigned(AGENCY_FIELD.into()));
    }
    let fields: Vec<(ObjectId, String)> = [
        (NUMBER_FIELD, &texts.number),
        (DAY_FIELD, &texts.day),
        (MONTH_FIELD, &texts.month),
        (YEAR_FIELD, &texts.year),
    ]
    .into_iter()
    .filter_map(|(name, text)| {
        update::find_field(prev, name)
            .ok()
            .flatten()
            .map(|id| (id, text.clone()))
    })
    .collect();
    if !fields.is_empty() {
        let all_texts: Vec<&str> = fields.iter().map(|(_, t)| t.as_str()).collect();
        let embedded = font::embed_subset(&mut doc.new_document, font, &all_texts)
            .map_err(|e| PdfSignError::Structure(format!("font: {e}")))?;
        for (field, text) in &fields {
            fill_text_field(&mut doc, *field, text, &embedded)?;
        }
    }
    let signature = update::add_signature_dictionary(&mut doc, info);
    let image_id = seal_image.add_to(&mut doc.new_document);
    match agency {
        Some(widget) => {
            let rect = widget_rect(doc.get_prev_documents(), widget)?;
            let ap = appearance::image(&mut doc.new_document, rect, seal_image.aspect(), image_id);
            doc.opt_clone_object_to_new_document(widget)?;
            let dict = doc.new_document.get_object_mut(widget)?.as_dict_mut()?;
            dict.set("V", signature);
            dict.set("AP", dictionary! { "N" => ap });
        }
        None => {
            let ap = appearance::image(
                &mut doc.new_document,
                fallback_seal.rect,
                seal_image.aspect(),
                image_id,
            );
            let page = update::page_id(doc.get_prev_documents(), fallback_seal.page)?;
            let widget = update::add_widget(
                &mut doc,
                AGENCY_FIELD,
                page,
                fallback_seal.rect,
                FieldKind::Signature(Some(signature)),
                ap,
            );
            attach_all(&mut doc, &[(widget, fallback_seal.page)], false)?;
        }
    }
    update::finish(appended_from, doc)
}

fn fill_text_field(
    doc: &mut lopdf::IncrementalDocument,
    field: ObjectId,
    text: &str,
    embedded: &font::EmbeddedFont,
) -> Result<(), PdfSignError> {
    let rect = widget_rect(doc.get_prev_documents(), field)?;
    let size = ((rect[3] - rect[1]) / 1.3).clamp(6.0, 20.0);
    let ap = appearance::text_on_baseline(&mut doc.new_document, rect, embedded, text, size)
        .map_err(|e| PdfSignError::Structure(e.to_string()))?;
    doc.opt_clone_object_to_new_document(field)?;
    let dict = doc.new_document.get_object_mut(field)?.as_dict_mut()?;
    dict.set("V", update::text_string(text));
    dict.set("AP", dictionary! { "N" => ap });
    Ok(())
}

/// Name of the signature field a copy (bản sao) adds to the issued original.
pub const COPY_FIELD: &str = "Sig3_BanSao";

/// An agency signature without image whose appearance is a few lines of text, top-right of
/// page 1, in a new field `field`: an attachment issued as a separate file (`AGENCY_FIELD`,
/// naming the main document) or a copy of an issued document (`COPY_FIELD`, the copy's
/// heading, number and date). Only a new signature field is added, so the signatures already
/// in the file stay valid.
pub fn prepare_text_stamp(
    input: SigningInput,
    field: &str,
    lines: &[&str],
    font: &FontProgram,
    info: &SignatureInfo,
) -> Result<PreparedPdf, PdfSignError> {
    let (mut doc, appended_from) = input.into_update();
    if update::find_field(doc.get_prev_documents(), field)?.is_some() {
        return Err(PdfSignError::AlreadySigned(field.into()));
    }
    let page_id = update::page_id(doc.get_prev_documents(), 1)?;
    let (width, height) = page_size(doc.get_prev_documents(), page_id);
    let size = 10.0;
    let embedded = font::embed_subset(&mut doc.new_document, font, lines)
        .map_err(|e| PdfSignError::Structure(format!("font: {e}")))?;
    let text_width = lines
        .iter()
        .filter_map(|l| embedded.text_width(l, size).ok())
        .fold(0.0f32, f32::max)
        + 4.0;
    let rect = [
        width - 28.0 - text_width,
        height - 20.0 - size * 1.25 * lines.len() as f32,
        width - 28.0,
        height - 20.0,
    ];
    let ap = appearance::text_lines(
        &mut doc.new_document,
        rect,
        &embedded,
        lines,
        size,
        [0.0, 0.0, 0.0],
    )
    .map_err(|e| PdfSignError::Structure(e.to_string()))?;
    let signature = update::add_signature_dictionary(&mut doc, info);
    let widget = update::add_widget(
        &mut doc,
        field,
        page_id,
        rect,
        FieldKind::Signature(Some(signature)),
        ap,
    );
    attach_all(&mut doc, &[(widget, 1)], false)?;
    update::finish(appended_from, doc)
}

fn widget_rect(document: &lopdf::Document, widget: ObjectId) -> Result<[f32; 4], PdfSignError> {
    let rect = document.get_dictionary(widget)?.get(b"Rect")?.as_array()?;
    let values: Vec<f32> = rect.iter().filter_map(|o| o.as_float().ok()).collect();
    let [x1, y1, x2, y2]: [f32; 4] = values
        .try_into()
        .map_err(|_| PdfSignError::Structure("a widget /Rect is not four numbers".into()))?;
    Ok([x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)])
}

/// Width and height of the page's media box (A4 when absent or unreadable).
fn page_size(document: &lopdf::Document, page: ObjectId) -> (f32, f32) {
    let media_box = document
        .get_dictionary(page)
        .ok()
        .and_then(|d| d.get(b"MediaBox").ok())
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok().cloned());
    match media_box.map(|a| {
        a.iter()
            .filter_map(|o: &Object| o.as_float().ok())
            .collect::<Vec<f32>>()
    }) {
        Some(v) if v.len() == 4 => ((v[2] - v[0]).abs(), (v[3] - v[1]).abs()),
        _ => (595.0, 842.0),
    }
}
