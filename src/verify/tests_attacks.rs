//! Attacks built from our own signed file: incremental saving (with and without a
//! cross-reference section), signature wrapping, evil annotation, sneaky signature, and
//! the permitted case of a new *signed* signature field.

use lopdf::{dictionary, Document, IncrementalDocument, Object, ObjectId, Stream, StringFormat};

use super::tests::{
    byte_range_at, codes, find_from, fixture, patch, signature, verify, AGENCY, PERSONAL,
};
use super::*;

/// An incremental update written by lopdf over `bytes`.
fn update(bytes: &[u8], edit: impl FnOnce(&mut IncrementalDocument, ObjectId)) -> Vec<u8> {
    let previous = Document::load_mem(bytes).unwrap();
    let mut doc = IncrementalDocument::create_from(bytes.to_vec(), previous);
    let page = *doc.get_prev_documents().get_pages().get(&1).unwrap();
    edit(&mut doc, page);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    assert!(out.starts_with(bytes));
    out
}

fn is_other(signature: &SignatureReport) -> bool {
    signature.modification_level == ModificationLevel::Other
        && codes(signature).contains(&"modified_after_signing")
        && !signature.valid
}

#[test]
fn a_new_revision_that_replaces_page_content_is_named() {
    let attacked = update(&fixture().layer2, |doc, page| {
        let forged = doc.new_document.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 72 700 Td (Forged) Tj ET".to_vec(),
        ));
        doc.opt_clone_object_to_new_document(page).unwrap();
        doc.new_document
            .get_dictionary_mut(page)
            .unwrap()
            .set("Contents", forged);
    });
    let report = verify(&attacked);
    assert!(!report.valid);
    let agency = signature(&report, AGENCY);
    assert_eq!(agency.coverage, Coverage::EntireRevision);
    assert!(agency.integrity && is_other(agency), "{agency:#?}");
    let page_label = format!("{} {} R (page)", page_of(&attacked).0, page_of(&attacked).1);
    assert!(
        agency
            .modified_objects
            .iter()
            .any(|m| m.starts_with(&page_label)),
        "{:#?}",
        agency.modified_objects
    );
    assert!(
        agency
            .modified_objects
            .iter()
            .any(|m| m.contains("page content")),
        "{:#?}",
        agency.modified_objects
    );
    assert!(is_other(signature(&report, PERSONAL)));
}

fn page_of(bytes: &[u8]) -> ObjectId {
    *Document::load_mem(bytes)
        .unwrap()
        .get_pages()
        .get(&1)
        .unwrap()
}

#[test]
fn appended_objects_without_a_cross_reference_section_are_flagged() {
    let page = page_of(&fixture().layer2);
    for tail in [
        format!(
            "\n{} 0 obj\n<< /Type /Page /Contents 9999 0 R >>\nendobj\n%%EOF\n",
            page.0
        ),
        "\n9999 0 obj\n<< /Length 5 >>\nstream\nForge\nendstream\nendobj\n%%EOF\n".to_string(),
        "\n9999 0 obj\n<< /Forged true >>\nendobj\n".to_string(),
    ] {
        let mut attacked = fixture().layer2.clone();
        attacked.extend_from_slice(tail.as_bytes());
        let report = verify(&attacked);
        assert!(!report.valid, "{tail}");
        let agency = signature(&report, AGENCY);
        assert_ne!(agency.coverage, Coverage::EntireFile, "{tail}");
        assert!(agency.integrity && is_other(agency), "{tail}: {agency:#?}");
        assert!(is_other(signature(&report, PERSONAL)), "{tail}");
    }
}

#[test]
fn signature_wrapping_is_detected() {
    let original = &fixture().layer2;
    let (at, width, [_, b, c, d]) = byte_range_at(original, fixture().layer1.len());
    let (c, d) = (c as usize, d as usize);
    let injected = b"\n%injected objects and xref would go here\n";
    let mut wrapped = original[..c].to_vec();
    wrapped.extend_from_slice(injected);
    wrapped.extend_from_slice(&original[c..c + d]);
    let moved = c + injected.len();
    patch(&mut wrapped, at, width, &format!("[0 {b} {moved} {d}]"));
    let report = verify(&wrapped);
    let agency = signature(&report, AGENCY);
    assert!(
        codes(agency).contains(&"contents_not_in_gap"),
        "{agency:#?}"
    );
    assert!(!agency.valid && !report.valid);
}

#[test]
fn an_annotation_added_after_layer_one_is_not_permitted() {
    let attacked = update(&fixture().layer1, |doc, page| {
        let note = doc.new_document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "FreeText",
            "Rect" => vec![100.into(), 700.into(), 300.into(), 730.into()],
            "Contents" => Object::string_literal("Số: 99/QĐ-UBND"),
            "DA" => Object::string_literal("/Helv 12 Tf 0 g"),
        });
        append_annotation(doc, page, note);
    });
    let report = verify(&attacked);
    let personal = signature(&report, PERSONAL);
    assert!(is_other(personal), "{personal:#?}");
    assert!(
        personal
            .modified_objects
            .iter()
            .any(|m| m.contains("FreeText")),
        "{:#?}",
        personal.modified_objects
    );
}

fn append_annotation(doc: &mut IncrementalDocument, page: ObjectId, annotation: ObjectId) {
    doc.opt_clone_object_to_new_document(page).unwrap();
    let page_dict = doc.new_document.get_dictionary_mut(page).unwrap();
    let mut annots = match page_dict.get(b"Annots") {
        Ok(Object::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(annotation));
    page_dict.set("Annots", annots);
}

/// Adds a signature field widget (unsigned unless `value` is given) to the page and form.
fn add_signature_field(doc: &mut IncrementalDocument, page: ObjectId, value: Option<ObjectId>) {
    let appearance = doc.new_document.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 200.into(), 30.into()], "Resources" => dictionary! {} },
        b"BT /Helv 12 Tf 2 10 Td (PAID - APPROVED) Tj ET".to_vec(),
    ));
    let mut widget = dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Sig", "T" => Object::string_literal("Sneaky"),
        "Rect" => vec![100.into(), 600.into(), 300.into(), 630.into()], "P" => page, "F" => 4,
        "AP" => dictionary! { "N" => appearance },
    };
    if let Some(value) = value {
        widget.set("V", value);
    }
    let widget = doc.new_document.add_object(widget);
    append_annotation(doc, page, widget);
    let root = doc
        .get_prev_documents()
        .trailer
        .get(b"Root")
        .unwrap()
        .as_reference()
        .unwrap();
    let form = doc
        .get_prev_documents()
        .get_dictionary(root)
        .unwrap()
        .get(b"AcroForm")
        .unwrap()
        .as_reference()
        .unwrap();
    doc.opt_clone_object_to_new_document(form).unwrap();
    let form = doc.new_document.get_dictionary_mut(form).unwrap();
    let mut fields = form.get(b"Fields").unwrap().as_array().unwrap().clone();
    fields.push(Object::Reference(widget));
    form.set("Fields", fields);
}

#[test]
fn an_unsigned_signature_field_added_after_layer_one_is_not_permitted() {
    let attacked = update(&fixture().layer1, |doc, page| {
        add_signature_field(doc, page, None)
    });
    let report = verify(&attacked);
    let personal = signature(&report, PERSONAL);
    assert!(is_other(personal), "{personal:#?}");
    assert!(
        personal
            .modified_objects
            .iter()
            .any(|m| m.contains("unsigned")),
        "{:#?}",
        personal.modified_objects
    );
}

/// The diff alone (no cryptography): a new signature field whose /V is a new signature
/// dictionary, with its appearance, is form filling; the same with an extra object is not.
#[test]
fn a_new_signed_signature_field_is_form_filling() {
    let layer1 = &fixture().layer1;
    let sign = |doc: &mut IncrementalDocument, page| {
        let value = doc.new_document.add_object(dictionary! {
            "Type" => "Sig", "Filter" => "Adobe.PPKLite", "SubFilter" => "ETSI.CAdES.detached",
            "ByteRange" => vec![0.into(), 1.into(), 2.into(), 3.into()],
            "Contents" => Object::String(vec![0; 8], StringFormat::Hexadecimal),
        });
        add_signature_field(doc, page, Some(value));
    };
    let signed = Document::load_mem(layer1).unwrap();
    let permitted = update(layer1, sign);
    let outcome = diff::analyse(&signed, &Document::load_mem(&permitted).unwrap());
    assert_eq!(
        outcome.level,
        ModificationLevel::FormFilling,
        "{:#?}",
        outcome.offending
    );

    let extra = update(layer1, |doc, page| {
        sign(doc, page);
        let first_font = doc
            .get_prev_documents()
            .objects
            .iter()
            .find(|(_, o)| o.type_name().is_ok_and(|t| t == b"Font"))
            .map(|(id, _)| *id)
            .unwrap();
        doc.opt_clone_object_to_new_document(first_font).unwrap();
        doc.new_document
            .get_dictionary_mut(first_font)
            .unwrap()
            .set("BaseFont", "Forged");
    });
    let outcome = diff::analyse(&signed, &Document::load_mem(&extra).unwrap());
    assert_eq!(outcome.level, ModificationLevel::Other);
    assert!(
        outcome.offending.iter().any(|o| o.contains("font")),
        "{:#?}",
        outcome.offending
    );
}

#[test]
fn freeing_an_object_after_signing_is_not_permitted() {
    let layer2 = &fixture().layer2;
    let page = page_of(layer2);
    let annots_holder = Document::load_mem(layer2).unwrap();
    let victim = annots_holder
        .get_dictionary(page)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap()[0]
        .as_reference()
        .unwrap();
    let xref_at = layer2.len();
    let tail = format!(
        "xref\n0 1\n0000000000 65535 f \n{} 1\n0000000000 00001 f \ntrailer\n<< /Size {} /Root {} 0 R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
        victim.0,
        annots_holder.max_id + 1,
        annots_holder.trailer.get(b"Root").unwrap().as_reference().unwrap().0,
        annots_holder.xref_start,
    );
    let mut attacked = layer2.clone();
    attacked.extend_from_slice(tail.as_bytes());
    let report = verify(&attacked);
    let agency = signature(&report, AGENCY);
    assert!(is_other(agency), "{agency:#?}");
    assert!(
        agency.modified_objects.iter().any(|m| m.contains("freed")),
        "{:#?}",
        agency.modified_objects
    );
    let _ = find_from(&attacked, b"startxref", xref_at);
}

/// An update whose `/Prev` skips both signed revisions (the viewer then shows the draft
/// before signing, or whatever the attacker put in it).
#[test]
fn an_update_that_rewinds_the_prev_chain_is_flagged() {
    let layer2 = &fixture().layer2;
    let first = structure::revisions(layer2)[0].end_offset as usize;
    let draft = Document::load_mem(&layer2[..first]).unwrap();
    let root = draft.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let xref_at = layer2.len();
    let tail = format!(
        "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size {} /Root {} {} R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
        draft.max_id + 1,
        root.0,
        root.1,
        draft.xref_start,
    );
    let mut attacked = layer2.clone();
    attacked.extend_from_slice(tail.as_bytes());
    let report = verify(&attacked);
    assert!(!report.valid);
    assert_eq!(report.signatures.len(), 2, "{report:#?}");
    for field in [PERSONAL, AGENCY] {
        let found = signature(&report, field);
        assert!(is_other(found), "{field}: {found:#?}");
        assert!(codes(found).contains(&"signature_removed"), "{field}");
        assert!(
            found.modified_objects.iter().any(|m| m.contains("/Prev")),
            "{field}: {:#?}",
            found.modified_objects
        );
    }
}

/// A generic rule must not excuse a structural change: `/Info` pointed at the page tree
/// while the page tree gains an inherited `/Rotate`.
#[test]
fn info_pointed_at_the_page_tree_does_not_excuse_changing_it() {
    let attacked = update(&fixture().layer2, |doc, _| {
        let catalog = doc.get_prev_documents().catalog().unwrap();
        let pages = catalog.get(b"Pages").unwrap().as_reference().unwrap();
        doc.opt_clone_object_to_new_document(pages).unwrap();
        let node = doc.new_document.get_dictionary_mut(pages).unwrap();
        node.set("Rotate", 180);
        doc.new_document.trailer.set("Info", pages);
    });
    let reloaded = Document::load_mem(&attacked).unwrap();
    let pages = reloaded.catalog().unwrap().get(b"Pages").unwrap().clone();
    assert_eq!(
        reloaded.trailer.get(b"Info").ok(),
        Some(&pages),
        "the attack is in place"
    );
    let report = verify(&attacked);
    let agency = signature(&report, AGENCY);
    assert!(is_other(agency), "{agency:#?}");
    assert!(
        agency
            .modified_objects
            .iter()
            .any(|m| m.contains("page tree")),
        "{:#?}",
        agency.modified_objects
    );
}

/// Image samples are not loaded by the validator (a placeholder holds their length), so an
/// image rewritten in a later revision must still count as changed when its dictionary and
/// length stay the same: it is read from another cross-reference entry.
#[test]
fn an_image_rewritten_with_the_same_length_is_named() {
    let signed = &fixture().layer2;
    let document = Document::load_mem(signed).unwrap();
    let image = document
        .objects
        .iter()
        .find_map(|(id, object)| match object {
            Object::Stream(stream) => stream
                .dict
                .get(b"Subtype")
                .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Image"))
                .then_some(*id),
            _ => None,
        })
        .expect("the signed file shows an image");
    let attacked = update(signed, |doc, _| {
        doc.opt_clone_object_to_new_document(image).unwrap();
        let Ok(Object::Stream(stream)) = doc.new_document.get_object_mut(image) else {
            panic!("the image is a stream");
        };
        let middle = stream.content.len() / 2;
        stream.content[middle] ^= 0xFF;
    });
    assert!(attacked.len() > signed.len());
    let report = verify(&attacked);
    assert!(!report.valid);
    let label = format!("{} {} R", image.0, image.1);
    for field in [PERSONAL, AGENCY] {
        let checked = signature(&report, field);
        assert!(checked.integrity && is_other(checked), "{checked:#?}");
        assert!(
            checked
                .modified_objects
                .iter()
                .any(|m| m.starts_with(&label)),
            "{field}: {:#?}",
            checked.modified_objects
        );
    }
}
