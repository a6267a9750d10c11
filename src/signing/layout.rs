//! Where the two layers draw: turns the landmarks found on the page (the "Số:" label, the
//! place-and-date line, the signer block) into widget rectangles, following Decree 30/2020
//! App. I: the signature image centred between the title and the name; the seal at real size
//! (about 40 mm) covering about the left third of the signature image; the number and the
//! day/month written into the blanks the draft left for them. Pure geometry, no I/O.

use chrono::{Datelike, NaiveDate};

use super::pdf_update::Placement;
use crate::pdf::text_layout::{Landmarks, Slot};

/// Real size of a round agency seal: 40 mm in points.
pub const SEAL_DIAMETER_PT: f32 = 40.0 / 25.4 * 72.0;

/// A text blank to fill at layer 2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSlot {
    pub placement: Placement,
    pub font_size: f32,
}

/// Everything layer 1 pre-creates and layer 2 fills.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPlan {
    pub signature: Placement,
    pub seal: Placement,
    pub number: Option<TextSlot>,
    /// True when the draft already prints the notation after the blank ("Số:    /QĐ-UBND"):
    /// only the ordinal is written then.
    pub number_is_ordinal_only: bool,
    pub day: Option<TextSlot>,
    pub month: Option<TextSlot>,
    pub year: Option<TextSlot>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("no signer block (title above, name below) was found on the last page; give the signature position explicitly")]
    NoSignerBlock,
}

/// Builds the plan. `image_aspect` is the signature image's width / height.
pub fn plan_from_landmarks(
    landmarks: &Landmarks,
    image_aspect: f32,
) -> Result<FieldPlan, LayoutError> {
    let area = landmarks.signature_box.ok_or(LayoutError::NoSignerBlock)?;
    let signature = fit_image(area, image_aspect);
    let page = landmarks.page;
    let first_page = 1;
    let number = landmarks
        .number_slot
        .as_ref()
        .map(|slot| text_slot(first_page, slot, 3.2));
    Ok(FieldPlan {
        signature: Placement {
            page,
            rect: signature,
        },
        seal: Placement {
            page,
            rect: seal_over_left_third(signature),
        },
        number,
        number_is_ordinal_only: landmarks
            .number_slot
            .as_ref()
            .is_some_and(|s| s.available_width.is_some()),
        day: landmarks
            .day_slot
            .as_ref()
            .map(|slot| text_slot(first_page, slot, 1.6)),
        month: landmarks
            .month_slot
            .as_ref()
            .map(|slot| text_slot(first_page, slot, 1.6)),
        year: landmarks
            .year_slot
            .as_ref()
            .map(|slot| text_slot(first_page, slot, 2.6)),
    })
}

/// The landmarks with the signer block replaced by the caller's area, so the text slots can
/// still be planned when the signature position is given explicitly.
pub fn without_signer_block(landmarks: &Landmarks, area: Placement) -> Landmarks {
    let mut copy = landmarks.clone();
    copy.signature_box = Some(area.rect);
    copy.page = area.page;
    copy
}

/// The largest rectangle of the image's aspect ratio inside `area`, centred in it.
pub fn fit_image(area: [f32; 4], aspect: f32) -> [f32; 4] {
    let (width, height) = (area[2] - area[0], area[3] - area[1]);
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        2.5
    };
    let (w, h) = if width / height > aspect {
        (height * aspect, height)
    } else {
        (width, width / aspect)
    };
    let (cx, cy) = ((area[0] + area[2]) / 2.0, (area[1] + area[3]) / 2.0);
    [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
}

/// A real-size seal whose right edge reaches one third into the signature image, vertically
/// centred on it.
pub fn seal_over_left_third(signature: [f32; 4]) -> [f32; 4] {
    let right = signature[0] + (signature[2] - signature[0]) / 3.0;
    let cy = (signature[1] + signature[3]) / 2.0;
    let half = SEAL_DIAMETER_PT / 2.0;
    [right - SEAL_DIAMETER_PT, cy - half, right, cy + half]
}

/// A field rectangle around a blank: from slightly below the baseline to above the cap
/// height, as wide as the blank (or `default_em` ems when the line has nothing after it).
fn text_slot(page: u32, slot: &Slot, default_em: f32) -> TextSlot {
    let size = if slot.font_size > 0.0 {
        slot.font_size
    } else {
        13.0
    };
    let width = slot
        .available_width
        .filter(|w| *w > size * 0.8)
        .unwrap_or(size * default_em);
    TextSlot {
        placement: Placement {
            page,
            rect: [
                slot.x,
                slot.y - size * 0.3,
                slot.x + width,
                slot.y + size * 1.0,
            ],
        },
        font_size: size,
    }
}

/// Day as written in Vietnamese dates: a leading zero below 10 (Decree 30 App. I).
pub fn day_text(date: NaiveDate) -> String {
    format!("{:02}", date.day())
}

/// Month as written: a leading zero for January and February only ("tháng 01", "tháng 3").
pub fn month_text(date: NaiveDate) -> String {
    match date.month() {
        month @ (1 | 2) => format!("{month:02}"),
        month => month.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_leading_zero_rules() {
        let date = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert_eq!(
            (day_text(date), month_text(date)),
            ("05".into(), "01".into())
        );
        let date = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
        assert_eq!(
            (day_text(date), month_text(date)),
            ("15".into(), "3".into())
        );
        let date = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
        assert_eq!(month_text(date), "12");
    }

    #[test]
    fn the_image_keeps_its_aspect_and_stays_inside_the_area() {
        let rect = fit_image([300.0, 100.0, 500.0, 180.0], 2.5);
        assert!((rect[2] - rect[0]) / (rect[3] - rect[1]) - 2.5 < 0.01);
        assert!(rect[0] >= 300.0 && rect[2] <= 500.0 && rect[1] >= 100.0 && rect[3] <= 180.0);
    }

    #[test]
    fn the_seal_covers_the_left_third_of_the_signature() {
        let signature = [300.0, 100.0, 450.0, 160.0];
        let seal = seal_over_left_third(signature);
        assert!((seal[2] - 350.0).abs() < 0.01, "right edge one third in");
        assert!((seal[2] - seal[0] - SEAL_DIAMETER_PT).abs() < 0.01);
        assert!(((seal[1] + seal[3]) / 2.0 - 130.0).abs() < 0.01);
    }
}
