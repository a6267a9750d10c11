//! Object-level helpers for the modification analysis: semantic equality (dictionary order,
//! string syntax and stream positions do not matter), reference collection, and the role
//! names used to describe an offending object.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

/// lopdf bounds parsing nesting at 100; this guards the recursion here independently.
const MAX_DEPTH: usize = 128;

pub(super) fn same(a: &Object, b: &Object) -> bool {
    same_at(a, b, 0)
}

fn same_at(a: &Object, b: &Object, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (Object::Null, Object::Null) => true,
        (Object::Boolean(x), Object::Boolean(y)) => x == y,
        (Object::Integer(x), Object::Integer(y)) => x == y,
        (Object::Real(x), Object::Real(y)) => x.to_bits() == y.to_bits() || x == y,
        (Object::Name(x), Object::Name(y)) => x == y,
        (Object::String(x, _), Object::String(y, _)) => x == y,
        (Object::Reference(x), Object::Reference(y)) => x == y,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_at(p, q, depth + 1))
        }
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dictionary(x, y, depth + 1),
        (Object::Stream(x), Object::Stream(y)) => {
            x.content == y.content && same_dictionary(&x.dict, &y.dict, depth + 1)
        }
        _ => false,
    }
}

fn same_dictionary(x: &Dictionary, y: &Dictionary, depth: usize) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(key, value)| y.get(key).is_ok_and(|other| same_at(value, other, depth)))
}

/// Keys whose values differ between two dictionaries (present in one only included).
pub(super) fn differing_keys(old: &Dictionary, new: &Dictionary) -> BTreeSet<Vec<u8>> {
    let mut keys = BTreeSet::new();
    for (key, value) in old.iter() {
        if !new.get(key).is_ok_and(|other| same(value, other)) {
            keys.insert(key.clone());
        }
    }
    for (key, _) in new.iter() {
        if !old.has(key) {
            keys.insert(key.clone());
        }
    }
    keys
}

/// Every reference inside `object`, appended to `out`.
pub(super) fn references(object: &Object, out: &mut Vec<ObjectId>) {
    let mut stack: Vec<(&Object, usize)> = vec![(object, 0)];
    while let Some((object, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            continue;
        }
        match object {
            Object::Reference(id) => out.push(*id),
            Object::Array(items) => stack.extend(items.iter().map(|o| (o, depth + 1))),
            Object::Dictionary(dictionary) => {
                stack.extend(dictionary.iter().map(|(_, o)| (o, depth + 1)))
            }
            Object::Stream(stream) => stack.extend(stream.dict.iter().map(|(_, o)| (o, depth + 1))),
            _ => {}
        }
    }
}

pub(super) fn dictionary(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(dictionary) => Some(dictionary),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

pub(super) fn name_is(dictionary: &Dictionary, key: &[u8], value: &[u8]) -> bool {
    matches!(dictionary.get(key), Ok(Object::Name(n)) if n == value)
}

/// Roles found by walking the page tree of a document: pages, page tree nodes, content
/// streams, resource dictionaries, annotations.
pub(super) fn page_roles(document: &Document, roles: &mut BTreeMap<ObjectId, &'static str>) {
    if let Ok(root) = document.trailer.get(b"Root").and_then(Object::as_reference) {
        roles.insert(root, "catalog");
    }
    if let Ok(catalog) = document.catalog() {
        for (key, role) in [
            (&b"Pages"[..], "page tree"),
            (b"AcroForm", "interactive form"),
            (b"Metadata", "XMP metadata"),
            (b"DSS", "document security store"),
        ] {
            if let Ok(Object::Reference(id)) = catalog.get(key) {
                roles.entry(*id).or_insert(role);
            }
        }
    }
    for (_, page) in document.get_pages().into_iter().take(100_000) {
        roles.insert(page, "page");
        let Ok(dictionary) = document.get_dictionary(page) else {
            continue;
        };
        if let Ok(Object::Reference(parent)) = dictionary.get(b"Parent") {
            roles.entry(*parent).or_insert("page tree");
        }
        let mut refs = Vec::new();
        if let Ok(contents) = dictionary.get(b"Contents") {
            references(contents, &mut refs);
            if let Object::Reference(array) = contents {
                if let Ok(Object::Array(items)) = document.get_object(*array) {
                    items.iter().for_each(|i| references(i, &mut refs));
                }
            }
        }
        for id in refs.drain(..) {
            roles.entry(id).or_insert("page content");
        }
        if let Ok(Object::Reference(resources)) = dictionary.get(b"Resources") {
            roles.entry(*resources).or_insert("page resources");
        }
        if let Ok(Object::Reference(annots)) = dictionary.get(b"Annots") {
            roles.entry(*annots).or_insert("page annotations array");
        }
    }
}

/// A short description of what `object` is, for `modified_objects`.
pub(super) fn describe(
    id: ObjectId,
    object: Option<&Object>,
    roles: &BTreeMap<ObjectId, &'static str>,
) -> String {
    let role = roles
        .get(&id)
        .map(|r| r.to_string())
        .or_else(|| object.and_then(kind));
    match role {
        Some(role) => format!("{} {} R ({role})", id.0, id.1),
        None => format!("{} {} R", id.0, id.1),
    }
}

fn kind(object: &Object) -> Option<String> {
    let dictionary = dictionary(object)?;
    let name = |key: &[u8]| match dictionary.get(key) {
        Ok(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    };
    if dictionary.has(b"FT") || dictionary.has(b"Kids") && dictionary.has(b"T") {
        let field_type = name(b"FT").unwrap_or_default();
        return Some(format!("form field {field_type}").trim_end().to_string());
    }
    Some(match (name(b"Type"), name(b"Subtype")) {
        (Some(t), Some(s)) if t == "Annot" => format!("{s} annotation"),
        (None, Some(s)) if dictionary.has(b"Rect") => format!("{s} annotation"),
        (Some(t), Some(s)) if t == "XObject" => format!("{s} XObject"),
        (None, Some(s)) if matches!(object, Object::Stream(_)) => format!("{s} XObject"),
        (Some(t), Some(s)) if t == "Font" => format!("font {s}"),
        (Some(t), _) if t == "Font" => "font".into(),
        (Some(t), _) if t == "FontDescriptor" => "font descriptor".into(),
        (Some(t), _) if t == "Sig" => "signature dictionary".into(),
        (Some(t), _) => t,
        (None, _) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream, StringFormat};

    #[test]
    fn equality_ignores_key_order_and_string_syntax() {
        let a = Object::Dictionary(
            dictionary! { "A" => 1, "B" => Object::String(b"x".to_vec(), StringFormat::Literal) },
        );
        let b = Object::Dictionary(
            dictionary! { "B" => Object::String(b"x".to_vec(), StringFormat::Hexadecimal), "A" => 1 },
        );
        assert!(same(&a, &b));
        let c = Object::Dictionary(dictionary! { "A" => 1 });
        assert!(!same(&a, &c));
        let mut s1 = Stream::new(dictionary! {}, b"q Q".to_vec());
        s1.start_position = Some(5);
        let s2 = Stream::new(dictionary! {}, b"q Q".to_vec());
        assert!(same(&Object::Stream(s1), &Object::Stream(s2.clone())));
        assert!(!same(
            &Object::Stream(s2),
            &Object::Stream(Stream::new(dictionary! {}, b"q".to_vec()))
        ));
    }

    #[test]
    fn differing_keys_lists_added_removed_and_changed() {
        let old = dictionary! { "A" => 1, "B" => 2 };
        let new = dictionary! { "A" => 1, "B" => 3, "C" => 4 };
        let keys: Vec<Vec<u8>> = differing_keys(&old, &new).into_iter().collect();
        assert_eq!(keys, [b"B".to_vec(), b"C".to_vec()]);
    }
}
