//! Modification analysis (pyHanko's difference analysis, conservatively): every object that
//! is new, changed or gone in the final document compared with a signed revision must be
//! explained by a rule that an approval signature permits; anything else is `Other` and
//! named. The rules themselves are in [`super::diff_rules`].

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Document, Object, ObjectId};

use super::objects::{self, describe, page_roles};
use super::report::ModificationLevel;

/// Objects visited by any one reachability walk (bounded work).
const MAX_WALK: usize = 200_000;

pub(super) struct DiffOutcome {
    pub level: ModificationLevel,
    /// Offending objects, described.
    pub offending: Vec<String>,
}

pub(super) struct Analysis<'a> {
    pub signed: &'a Document,
    pub last: &'a Document,
    pub added: BTreeSet<ObjectId>,
    pub changed: BTreeSet<ObjectId>,
    pub removed: BTreeSet<ObjectId>,
    pub explained: BTreeSet<ObjectId>,
    /// Values whose reachable *new* objects are permitted (appearances, field values,
    /// default resources, document information).
    pub roots: Vec<Object>,
    /// Offending objects (or `None` for the document structure) and why.
    pub violations: Vec<(Option<ObjectId>, String)>,
    /// What the signed catalog reaches except through `/DSS` and `/Metadata`: changed
    /// objects here are explained only by the rule for their role (page, form, field), never
    /// by a generic one (Info, Metadata, DSS). `None` when the walk hit its bound.
    protected: Option<BTreeSet<ObjectId>>,
}

/// Compares the final document with the revision a signature covers.
pub(super) fn analyse(signed: &Document, last: &Document) -> DiffOutcome {
    let mut analysis = Analysis::new(signed, last);
    if analysis.added.is_empty() && analysis.changed.is_empty() && analysis.removed.is_empty() {
        return DiffOutcome {
            level: ModificationLevel::None,
            offending: Vec::new(),
        };
    }
    analysis.trailer();
    analysis.catalog();
    analysis.acroform();
    analysis.existing_fields();
    analysis.pages();
    analysis.infrastructure();
    analysis.dss();
    analysis.walk_roots();
    analysis.dangling();
    analysis.leftovers();
    analysis.outcome()
}

impl<'a> Analysis<'a> {
    fn new(signed: &'a Document, last: &'a Document) -> Self {
        let mut added = BTreeSet::new();
        let mut changed = BTreeSet::new();
        for (id, object) in &last.objects {
            match signed.objects.get(id) {
                None => {
                    added.insert(*id);
                }
                Some(old) if !unchanged(signed, last, *id, old, object) => {
                    changed.insert(*id);
                }
                Some(_) => {}
            }
        }
        let removed = signed
            .objects
            .keys()
            .filter(|id| !last.objects.contains_key(id))
            .copied()
            .collect();
        Self {
            signed,
            last,
            added,
            changed,
            removed,
            explained: BTreeSet::new(),
            roots: Vec::new(),
            violations: Vec::new(),
            protected: protected(signed),
        }
    }

    /// For the generic rules: new objects, and changed ones no page, form or catalog
    /// reaches (an `/Info` or `/DSS` pointed at a page must not excuse changing it).
    pub fn explain_generic(&mut self, id: ObjectId) {
        let protected = self.protected.as_ref().is_none_or(|p| p.contains(&id));
        if self.added.contains(&id) || self.changed.contains(&id) && !protected {
            self.explained.insert(id);
        }
    }

    pub fn violation(&mut self, id: Option<ObjectId>, why: impl Into<String>) {
        self.violations.push((id, why.into()));
    }

    /// Marks `id` as permitted if it is new or changed (unchanged objects need no reason).
    pub fn explain(&mut self, id: ObjectId) {
        if self.added.contains(&id) || self.changed.contains(&id) {
            self.explained.insert(id);
        }
    }

    /// The trailer may gain or change `/Info`; `/Root` must stay and nothing may encrypt.
    fn trailer(&mut self) {
        let root = |d: &Document| d.trailer.get(b"Root").and_then(Object::as_reference).ok();
        if root(self.signed) != root(self.last) || root(self.last).is_none() {
            self.violation(None, "trailer /Root changed");
        }
        if self.last.trailer.has(b"Encrypt") {
            self.violation(None, "trailer /Encrypt added");
        }
        if let Ok(Object::Reference(info)) = self.last.trailer.get(b"Info") {
            let info = *info;
            let was_info = self.signed.trailer.get(b"Info").ok() == Some(&Object::Reference(info));
            if matches!(self.last.objects.get(&info), Some(Object::Dictionary(_)))
                && (self.added.contains(&info) || was_info)
            {
                self.explain_generic(info);
                if let Some(object) = self.last.objects.get(&info) {
                    self.roots.push(object.clone());
                }
            }
        }
    }

    /// Cross-reference and object streams, new signature dictionaries.
    fn infrastructure(&mut self) {
        let added: Vec<ObjectId> = self.added.iter().copied().collect();
        for id in added {
            let Some(dictionary) = self.last.objects.get(&id).and_then(objects::dictionary) else {
                continue;
            };
            let is_stream = matches!(self.last.objects.get(&id), Some(Object::Stream(_)));
            let infrastructure = is_stream
                && (objects::name_is(dictionary, b"Type", b"XRef")
                    || objects::name_is(dictionary, b"Type", b"ObjStm"));
            if infrastructure {
                self.explain(id);
            } else if is_signature_dictionary(dictionary) && !is_stream {
                // What the new signature dictionary references (/Prop_Build…) is new too.
                self.explain(id);
                self.roots.push(Object::Dictionary(dictionary.clone()));
            }
        }
    }

    /// `/DSS` and what it reaches: new objects, and changed dictionaries or arrays that the
    /// signed revision's `/DSS` already reached (streams never change legitimately).
    fn dss(&mut self) {
        let dss = |d: &Document| d.catalog().ok().and_then(|c| c.get(b"DSS").ok()).cloned();
        let Some(last_dss) = dss(self.last) else {
            return;
        };
        let before: BTreeSet<ObjectId> = match dss(self.signed) {
            Some(value) => reachable(self.signed, &value, |(_, object)| is_dss_container(object)),
            None => BTreeSet::new(),
        };
        let signed = self.signed;
        let changed = self.changed.clone();
        let added = self.added.clone();
        // Unchanged objects are not descended into: they reach only what they reached when
        // signed. Changed ones must be DSS or VRI dictionaries (or arrays) reached before.
        let permitted = reachable(self.last, &last_dss, |(id, object)| {
            added.contains(&id)
                || changed.contains(&id)
                    && before.contains(&id)
                    && signed.objects.contains_key(&id)
                    && is_dss_container(object)
        });
        for id in permitted {
            self.explain_generic(id);
        }
    }

    /// New objects reachable from the permitted roots, through new objects only.
    fn walk_roots(&mut self) {
        let roots = std::mem::take(&mut self.roots);
        let mut queue = Vec::new();
        for root in &roots {
            objects::references(root, &mut queue);
        }
        let mut visited = BTreeSet::new();
        while let Some(id) = queue.pop() {
            if visited.len() >= MAX_WALK || !visited.insert(id) || !self.added.contains(&id) {
                continue;
            }
            self.explained.insert(id);
            if let Some(object) = self.last.objects.get(&id) {
                objects::references(object, &mut queue);
            }
        }
    }

    /// A new object must not fill a reference that pointed nowhere when the revision was
    /// signed: that would change what the signed objects show (hide-and-replace).
    fn dangling(&mut self) {
        let mut references = Vec::new();
        for object in self
            .signed
            .objects
            .values()
            .chain(std::iter::once(&Object::Dictionary(
                self.signed.trailer.clone(),
            )))
        {
            objects::references(object, &mut references);
            if references.len() > 4 * MAX_WALK {
                break;
            }
        }
        let filled: BTreeSet<ObjectId> = references
            .into_iter()
            .filter(|id| !self.signed.objects.contains_key(id) && self.added.contains(id))
            .collect();
        for id in filled {
            self.violation(
                Some(id),
                "fills a reference that was dangling when the revision was signed",
            );
        }
    }

    fn leftovers(&mut self) {
        let live = self.live_objects();
        let unexplained: Vec<ObjectId> = self
            .added
            .iter()
            // A new object nothing in the document reaches cannot change what is shown
            // (pyHanko leaves such empty appearance streams behind); one that a signed object
            // reached while dangling is caught by `dangling`.
            .filter(|id| live.as_ref().is_none_or(|live| live.contains(id)))
            .chain(&self.changed)
            .filter(|id| !self.explained.contains(id))
            .copied()
            .collect();
        for id in unexplained {
            let why = if self.added.contains(&id) {
                "new object not permitted"
            } else {
                "changed"
            };
            self.violation(Some(id), why);
        }
        let removed: Vec<ObjectId> = self.removed.iter().copied().collect();
        for id in removed {
            self.violation(Some(id), "freed or replaced by another generation");
        }
    }

    /// Everything the final trailer reaches; `None` when the walk hit its bound (then every
    /// object counts as reachable: fail closed).
    fn live_objects(&self) -> Option<BTreeSet<ObjectId>> {
        let trailer = Object::Dictionary(self.last.trailer.clone());
        let live = reachable(self.last, &trailer, |_| true);
        (live.len() < MAX_WALK).then_some(live)
    }

    fn outcome(self) -> DiffOutcome {
        if self.violations.is_empty() {
            return DiffOutcome {
                level: ModificationLevel::FormFilling,
                offending: Vec::new(),
            };
        }
        let mut roles = BTreeMap::new();
        page_roles(self.signed, &mut roles);
        page_roles(self.last, &mut roles);
        let mut offending = Vec::new();
        let mut seen = BTreeSet::new();
        for (id, why) in &self.violations {
            let text = match id {
                Some(id) => {
                    if !seen.insert(*id) {
                        continue;
                    }
                    let object = self
                        .last
                        .objects
                        .get(id)
                        .or_else(|| self.signed.objects.get(id));
                    format!("{}: {why}", describe(*id, object, &roles))
                }
                None => why.clone(),
            };
            offending.push(text);
        }
        DiffOutcome {
            level: ModificationLevel::Other,
            offending,
        }
    }
}

/// Whether `id` is the same object in both revisions. Objects read from the same plain
/// cross-reference entry come from the same bytes (revisions are prefixes of one file and
/// parsing is deterministic), so they are equal without comparing them, except streams,
/// whose extent can depend on an indirect `/Length` a later revision redefines. An image
/// loaded without its samples (a length placeholder) is unchanged only when read from the
/// same entry with the same length and dictionary.
fn unchanged(signed: &Document, last: &Document, id: ObjectId, old: &Object, new: &Object) -> bool {
    let placeholder = |object: &Object| matches!(object, Object::Stream(s) if s.dict.has(crate::pdf::limits::SAMPLES_NOT_LOADED));
    let same_entry = same_entry(signed, last, id);
    match (old, new) {
        (Object::Stream(_), _) | (_, Object::Stream(_)) => {
            if placeholder(old) || placeholder(new) {
                same_entry && objects::same(old, new)
            } else {
                objects::same(old, new)
            }
        }
        _ => same_entry || objects::same(old, new),
    }
}

fn same_entry(signed: &Document, last: &Document, id: ObjectId) -> bool {
    use lopdf::xref::XrefEntry;
    match (
        signed.reference_table.get(id.0),
        last.reference_table.get(id.0),
    ) {
        (
            Some(XrefEntry::Normal {
                offset: a,
                generation: g,
            }),
            Some(XrefEntry::Normal {
                offset: b,
                generation: h,
            }),
        ) => a == b && g == h && *g == id.1,
        _ => false,
    }
}

fn is_dss_container(object: &Object) -> bool {
    match object {
        Object::Array(_) => true,
        Object::Dictionary(dictionary) => match dictionary.get(b"Type") {
            Err(_) => true,
            Ok(Object::Name(name)) => name == b"DSS" || name == b"VRI",
            Ok(_) => false,
        },
        _ => false,
    }
}

pub(super) fn is_signature_dictionary(dictionary: &lopdf::Dictionary) -> bool {
    objects::name_is(dictionary, b"Type", b"Sig")
        && dictionary.has(b"ByteRange")
        && dictionary.has(b"Contents")
}

/// Everything the signed catalog reaches, except through `/DSS` and `/Metadata`.
fn protected(signed: &Document) -> Option<BTreeSet<ObjectId>> {
    let root = signed
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .ok()?;
    let mut catalog = signed.get_dictionary(root).ok()?.clone();
    catalog.remove(b"DSS");
    catalog.remove(b"Metadata");
    let mut found = reachable(signed, &Object::Dictionary(catalog), |_| true);
    if found.len() >= MAX_WALK {
        return None;
    }
    found.insert(root);
    Some(found)
}

/// Object ids reachable from `value` in `document`, descending only into objects `follow`
/// accepts (which are included).
pub(super) fn reachable(
    document: &Document,
    value: &Object,
    follow: impl Fn((ObjectId, &Object)) -> bool,
) -> BTreeSet<ObjectId> {
    let mut queue = Vec::new();
    objects::references(value, &mut queue);
    let mut found = BTreeSet::new();
    let mut visited = BTreeSet::new();
    while let Some(id) = queue.pop() {
        if visited.len() >= MAX_WALK || !visited.insert(id) {
            continue;
        }
        let Some(object) = document.objects.get(&id) else {
            continue;
        };
        if follow((id, object)) {
            found.insert(id);
            objects::references(object, &mut queue);
        }
    }
    found
}
