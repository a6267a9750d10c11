//! Appearance streams for the widgets: what a viewer draws. Each is a form XObject the size of
//! its widget; the page content is never touched (that would invalidate layer 1).

use lopdf::{dictionary, Document, Object, ObjectId, Stream};

use super::font::EmbeddedFont;

#[derive(Debug, thiserror::Error)]
pub enum AppearanceError {
    #[error("font: {0}")]
    Font(#[from] super::font::FontError),
}

fn size_of(rect: [f32; 4]) -> (f32, f32) {
    ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs())
}

fn form(
    document: &mut Document,
    rect: [f32; 4],
    resources: lopdf::Dictionary,
    content: Vec<u8>,
) -> ObjectId {
    let (width, height) = size_of(rect);
    document.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), Object::Real(width), Object::Real(height)],
            "Resources" => resources,
        },
        content,
    ))
}

/// An empty appearance: the field exists and prints nothing until it is filled.
pub fn blank(document: &mut Document, rect: [f32; 4]) -> ObjectId {
    form(document, rect, dictionary! {}, Vec::new())
}

/// The image fitted into the widget, aspect kept, centred.
pub fn image(document: &mut Document, rect: [f32; 4], aspect: f32, image_id: ObjectId) -> ObjectId {
    let (width, height) = size_of(rect);
    let fitted = super::layout::fit_image([0.0, 0.0, width, height], aspect);
    let content = format!(
        "q {:.3} 0 0 {:.3} {:.3} {:.3} cm /Im1 Do Q",
        fitted[2] - fitted[0],
        fitted[3] - fitted[1],
        fitted[0],
        fitted[1]
    );
    let resources = dictionary! { "XObject" => dictionary! { "Im1" => image_id } };
    form(document, rect, resources, content.into_bytes())
}

/// Lines of text, top to bottom, left-aligned with a small margin, baseline placed so the
/// first line sits at the top of the widget. Black unless `rgb` says otherwise.
pub fn text_lines(
    document: &mut Document,
    rect: [f32; 4],
    font: &EmbeddedFont,
    lines: &[&str],
    size: f32,
    rgb: [f32; 3],
) -> Result<ObjectId, AppearanceError> {
    let (_, height) = size_of(rect);
    let mut content = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let baseline = height - size * (index as f32 + 1.0) - size * 0.05;
        content.extend(font.show_text("F1", line, size, 1.0, baseline.max(size * 0.25), rgb)?);
        content.push(b'\n');
    }
    let resources = dictionary! { "Font" => dictionary! { "F1" => font.font_id() } };
    Ok(form(document, rect, resources, content))
}

/// One line of text on the baseline of a blank in the page, centred in it (the widget's
/// rectangle extends 0.3 em below the baseline, see `layout::text_slot`).
pub fn text_on_baseline(
    document: &mut Document,
    rect: [f32; 4],
    font: &EmbeddedFont,
    text: &str,
    size: f32,
) -> Result<ObjectId, AppearanceError> {
    // Centred in the blank, as a clerk writing by hand would.
    let (width, _) = size_of(rect);
    let x = ((width - font.text_width(text, size)?) / 2.0).max(0.5);
    let content = font.show_text("F1", text, size, x, size * 0.3, [0.0, 0.0, 0.0])?;
    let resources = dictionary! { "Font" => dictionary! { "F1" => font.font_id() } };
    Ok(form(document, rect, resources, content))
}
