//! The rules of the modification analysis: which changes to the catalog, the form, existing
//! fields and pages an approval signature permits. A rule explains the objects it accepts
//! and records a violation for the rest; values it accepts (appearances, field values,
//! default resources) become roots whose *new* objects are permitted.

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::diff::{is_signature_dictionary, Analysis};
use super::fields::{self, resolve};
use super::objects::{self, differing_keys};

const CATALOG_KEYS: &[&[u8]] = &[b"AcroForm", b"DSS", b"Metadata"];
const ACROFORM_KEYS: &[&[u8]] = &[b"Fields", b"SigFlags", b"DR", b"NeedAppearances"];
const SIGNATURE_FIELD_FILL: &[&[u8]] = &[b"V", b"AP"];
const TEXT_FIELD_FILL: &[&[u8]] = &[b"V", b"AP", b"Ff"];
const MAX_PAGES: usize = 100_000;

fn key_name(key: &[u8]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

/// The array `dictionary[key]` resolves to, or an empty one.
fn array_of(document: &Document, dictionary: &Dictionary, key: &[u8]) -> Vec<Object> {
    match dictionary.get(key).ok().and_then(|o| resolve(document, o)) {
        Some(Object::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

fn same_arrays(a: &[Object], b: &[Object]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| objects::same(x, y))
}

impl Analysis<'_> {
    /// Only `/AcroForm`, `/DSS` and `/Metadata` of the catalog may change.
    pub(super) fn catalog(&mut self) {
        let Ok(root) = self
            .last
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
        else {
            return;
        };
        if self.changed.contains(&root) {
            let (Ok(old), Ok(new)) = (
                self.signed.get_dictionary(root),
                self.last.get_dictionary(root),
            ) else {
                return;
            };
            let mut ok = true;
            for key in differing_keys(old, new) {
                if !CATALOG_KEYS.contains(&key.as_slice()) {
                    self.violation(Some(root), format!("catalog /{} changed", key_name(&key)));
                    ok = false;
                }
            }
            if ok {
                self.explain(root);
            }
        }
        let metadata = |d: &Document| {
            d.catalog()
                .ok()
                .and_then(|c| c.get(b"Metadata").ok())
                .and_then(|m| m.as_reference().ok())
        };
        if let Some(id) = metadata(self.last) {
            let is_stream = matches!(self.last.objects.get(&id), Some(Object::Stream(_)));
            if is_stream && (self.added.contains(&id) || metadata(self.signed) == Some(id)) {
                self.explain_generic(id);
            }
        }
    }

    /// The form may gain signature fields and change `/SigFlags`, `/DR` (adding entries
    /// only) and `/NeedAppearances`.
    pub(super) fn acroform(&mut self) {
        let old_form = fields::acroform(self.signed).cloned();
        let Some(new_form) = fields::acroform(self.last).cloned() else {
            if old_form.is_some() {
                self.violation(None, "the interactive form (/AcroForm) was removed");
            }
            return;
        };
        let old_form = old_form.unwrap_or_default();
        let form_id = self
            .last
            .catalog()
            .ok()
            .and_then(|c| c.get(b"AcroForm").ok())
            .and_then(|f| f.as_reference().ok());
        let mut ok = true;
        let keys = differing_keys(&old_form, &new_form);
        for key in &keys {
            if !ACROFORM_KEYS.contains(&key.as_slice()) {
                self.violation(form_id, format!("/AcroForm /{} changed", key_name(key)));
                ok = false;
            }
        }
        let old_fields = array_of(self.signed, &old_form, b"Fields");
        let new_fields = array_of(self.last, &new_form, b"Fields");
        if !same_arrays(&old_fields, &new_fields) {
            let fields_id = new_form
                .get(b"Fields")
                .ok()
                .and_then(|f| f.as_reference().ok());
            if self.appended(
                &old_fields,
                &new_fields,
                fields_id.or(form_id),
                "/AcroForm /Fields",
            ) {
                if let Some(id) = fields_id {
                    self.explain(id);
                }
            } else {
                ok = false;
            }
        }
        if keys.contains(b"DR".as_slice()) {
            ok &= self.default_resources(&old_form, &new_form, form_id);
        }
        if ok {
            if let Some(id) = form_id {
                self.explain(id);
            }
        }
    }

    /// `/DR` may gain resources; every entry it had must still resolve to the same object.
    fn default_resources(
        &mut self,
        old_form: &Dictionary,
        new_form: &Dictionary,
        form_id: Option<ObjectId>,
    ) -> bool {
        let old = old_form
            .get(b"DR")
            .ok()
            .and_then(|o| fields::dictionary_of(self.signed, o))
            .cloned()
            .unwrap_or_default();
        let Some(new_value) = new_form.get(b"DR").ok().cloned() else {
            self.violation(form_id, "/AcroForm /DR removed");
            return false;
        };
        let new = fields::dictionary_of(self.last, &new_value)
            .cloned()
            .unwrap_or_default();
        for (category, entries) in old.iter() {
            let old_entries = fields::dictionary_of(self.signed, entries)
                .cloned()
                .unwrap_or_default();
            let new_entries = new
                .get(category)
                .ok()
                .and_then(|o| fields::dictionary_of(self.last, o))
                .cloned()
                .unwrap_or_default();
            for (name, value) in old_entries.iter() {
                if !new_entries
                    .get(name)
                    .is_ok_and(|other| objects::same(value, other))
                {
                    self.violation(
                        form_id,
                        format!(
                            "/AcroForm /DR /{} /{} changed",
                            key_name(category),
                            key_name(name)
                        ),
                    );
                    return false;
                }
            }
            // An existing dictionary may change only where it already was (pointing /DR at
            // a page's resources must not excuse changing them); new ones are walked below.
            if let (Ok(Object::Reference(id)), Some(Object::Reference(old_id))) = (
                new.get(category),
                old_form.get(b"DR").ok().and_then(|dr| {
                    fields::dictionary_of(self.signed, dr).and_then(|d| d.get(category).ok())
                }),
            ) {
                if id == old_id {
                    self.explain(*id);
                }
            }
        }
        if let Object::Reference(id) = new_value {
            if old_form.get(b"DR").ok() == Some(&Object::Reference(id)) {
                self.explain(id);
            }
        }
        self.roots.push(Object::Dictionary(new));
        true
    }

    /// `old` must be a prefix of `new`; every appended entry must be a new, signed
    /// signature field (or its widget). Records violations; returns whether all passed.
    pub(super) fn appended(
        &mut self,
        old: &[Object],
        new: &[Object],
        owner: Option<ObjectId>,
        what: &str,
    ) -> bool {
        let kept = new.len() >= old.len() && same_arrays(old, &new[..old.len()]);
        if !kept {
            self.violation(
                owner,
                format!("{what}: existing entries were removed or reordered"),
            );
            return false;
        }
        let mut ok = true;
        for entry in &new[old.len()..] {
            let outcome = match entry {
                Object::Reference(id) => self
                    .new_signature_field(*id)
                    .map_err(|why| (Some(*id), why)),
                _ => Err((owner, format!("{what}: an inline entry was added"))),
            };
            if let Err((id, why)) = outcome {
                self.violation(id, why);
                ok = false;
            }
        }
        ok
    }

    /// A field or widget added after signing: permitted only as a signature field that is
    /// itself signed (an unsigned one is the sneaky-signature attack).
    fn new_signature_field(&mut self, id: ObjectId) -> Result<(), String> {
        if !self.added.contains(&id) {
            return Err(
                "an object that existed when signed was added to the form or a page".into(),
            );
        }
        let dictionary = self
            .last
            .get_dictionary(id)
            .map_err(|_| "not a dictionary".to_string())?
            .clone();
        if objects::name_is(&dictionary, b"FT", b"Sig") {
            self.signed_value(&dictionary)?;
            self.explain(id);
            if let Ok(ap) = dictionary.get(b"AP") {
                self.roots.push(ap.clone());
            }
            for kid in array_of(self.last, &dictionary, b"Kids") {
                let kid = kid.as_reference().map_err(|_| "inline kid".to_string())?;
                let widget = self
                    .last
                    .get_dictionary(kid)
                    .map_err(|_| "missing kid".to_string())?
                    .clone();
                if !self.added.contains(&kid) || !fields::is_widget(&widget) || widget.has(b"T") {
                    return Err("a new signature field has kids that are not new widgets".into());
                }
                self.explain(kid);
                if let Ok(ap) = widget.get(b"AP") {
                    self.roots.push(ap.clone());
                }
            }
            return Ok(());
        }
        if fields::is_widget(&dictionary) {
            if let Ok(Object::Reference(parent)) = dictionary.get(b"Parent") {
                let parent_dictionary = self
                    .last
                    .get_dictionary(*parent)
                    .map_err(|_| "missing parent".to_string())?
                    .clone();
                if self.added.contains(parent)
                    && objects::name_is(&parent_dictionary, b"FT", b"Sig")
                {
                    self.signed_value(&parent_dictionary)?;
                    self.explain(id);
                    if let Ok(ap) = dictionary.get(b"AP") {
                        self.roots.push(ap.clone());
                    }
                    return Ok(());
                }
            }
        }
        let kind = match (dictionary.get(b"FT"), dictionary.get(b"Subtype")) {
            (Ok(Object::Name(ft)), _) => format!("new {} form field", key_name(ft)),
            (_, Ok(Object::Name(subtype))) => format!("new {} annotation", key_name(subtype)),
            _ => "new entry that is not a signature field".into(),
        };
        Err(format!(
            "{kind} (only signed signature fields may be added)"
        ))
    }

    /// `/V` of a new or filled signature field: a new signature dictionary.
    fn signed_value(&mut self, field: &Dictionary) -> Result<(), String> {
        match field.get(b"V") {
            Ok(Object::Reference(value)) if self.added.contains(value) => {
                let ok = self
                    .last
                    .get_dictionary(*value)
                    .is_ok_and(is_signature_dictionary);
                if ok {
                    self.explain(*value);
                    Ok(())
                } else {
                    Err("its /V is not a signature dictionary".into())
                }
            }
            Ok(_) => Err("its /V is not a new signature dictionary".into()),
            Err(_) => Err("new signature field without a signature (unsigned)".into()),
        }
    }

    /// Fields that existed when signed: unsigned signature fields may be signed, text fields
    /// filled (value, appearance, flags); nothing else may change.
    pub(super) fn existing_fields(&mut self) {
        for field in fields::fields(self.signed) {
            let allowed: &[&[u8]] = if field.is_signature() && field.value.is_none() {
                SIGNATURE_FIELD_FILL
            } else if field.is_text() {
                TEXT_FIELD_FILL
            } else {
                &[]
            };
            if self.changed.contains(&field.id) {
                let (Ok(old), Ok(new)) = (
                    self.signed.get_dictionary(field.id),
                    self.last.get_dictionary(field.id),
                ) else {
                    continue;
                };
                let new = new.clone();
                let keys = differing_keys(old, &new);
                let bad: Vec<String> = keys
                    .iter()
                    .filter(|k| !allowed.contains(&k.as_slice()))
                    .map(|k| format!("/{}", key_name(k)))
                    .collect();
                if !bad.is_empty() {
                    self.violation(
                        Some(field.id),
                        format!("form field '{}' changed ({})", field.name, bad.join(", ")),
                    );
                    continue;
                }
                if keys.contains(b"V".as_slice()) {
                    if field.is_signature() {
                        if let Err(why) = self.signed_value(&new) {
                            self.violation(
                                Some(field.id),
                                format!("signature field '{}': {why}", field.name),
                            );
                            continue;
                        }
                    } else if let Ok(value) = new.get(b"V") {
                        self.roots.push(value.clone());
                    }
                }
                if let Ok(ap) = new.get(b"AP") {
                    self.roots.push(ap.clone());
                }
                self.explain(field.id);
            }
            let touched: Vec<ObjectId> = field
                .widgets
                .iter()
                .filter(|w| **w != field.id && self.changed.contains(w))
                .copied()
                .collect();
            for widget in touched.iter() {
                let (Ok(old), Ok(new)) = (
                    self.signed.get_dictionary(*widget),
                    self.last.get_dictionary(*widget),
                ) else {
                    continue;
                };
                let keys = differing_keys(old, new);
                if allowed.is_empty() || keys.iter().any(|k| k.as_slice() != b"AP") {
                    self.violation(
                        Some(*widget),
                        format!("widget of form field '{}' changed", field.name),
                    );
                    continue;
                }
                if let Ok(ap) = new.get(b"AP") {
                    self.roots.push(ap.clone());
                }
                self.explain(*widget);
            }
        }
    }

    /// The page tree must not change; a page may only gain signed signature widgets in
    /// `/Annots`.
    pub(super) fn pages(&mut self) {
        let old_pages = self.signed.get_pages();
        let new_pages = self.last.get_pages();
        if old_pages != new_pages {
            self.violation(
                None,
                format!(
                    "page tree changed ({} pages when signed, {} now, or reordered)",
                    old_pages.len(),
                    new_pages.len()
                ),
            );
        }
        for (number, page) in new_pages.into_iter().take(MAX_PAGES) {
            let Ok(new) = self.last.get_dictionary(page).cloned() else {
                continue;
            };
            let old = self
                .signed
                .get_dictionary(page)
                .cloned()
                .unwrap_or_default();
            let mut ok = true;
            if self.changed.contains(&page) {
                for key in differing_keys(&old, &new) {
                    if key.as_slice() != b"Annots" {
                        self.violation(
                            Some(page),
                            format!("page {number}: /{} changed", key_name(&key)),
                        );
                        ok = false;
                    }
                }
            }
            let old_annots = array_of(self.signed, &old, b"Annots");
            let new_annots = array_of(self.last, &new, b"Annots");
            if !same_arrays(&old_annots, &new_annots) {
                let annots_id = new.get(b"Annots").ok().and_then(|a| a.as_reference().ok());
                if self.appended(
                    &old_annots,
                    &new_annots,
                    Some(page),
                    &format!("page {number} /Annots"),
                ) {
                    if let Some(id) = annots_id {
                        self.explain(id);
                    }
                } else {
                    self.violation(Some(page), format!("page {number}: annotations changed"));
                    ok = false;
                }
            }
            if ok {
                self.explain(page);
            }
        }
    }
}
