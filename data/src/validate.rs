//! The rules of the graph, checked on data files before anything is written: kinds,
//! predicates between the kinds they join, slugs, ISO codes, partial dates and validity ranges,
//! lengths, and that every node and relationship cites a source, with words where it quotes
//! them. References are resolved against the files and then the database, so a file may join
//! its facts to nodes the graph holds already.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Display;

use govgraph_entities::{
    DeliverableKind, Detail, EventFormat, NodeKind, OrganisationKind, PartialDate, Predicate,
    SourceKind, country, deliverable, event, node, organisation, partnership, person, source,
    working_group,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::facts::{Batch, CitationFact, EdgeFact, Fact, NodeFact, node_id};
use crate::format::{CitationEntry, NodeEntry, SourceEntry};
use crate::problems::{Place, Problem, Problems};
use crate::read::{Located, ParsedFile, citations_of};

/// The longest name, title or publisher, in characters.
pub const MAX_NAME: usize = 300;
/// The longest summary, in characters.
pub const MAX_SUMMARY: usize = 2_000;
/// The longest excerpt, in characters.
pub const MAX_EXCERPT: usize = 5_000;
/// The longest URL, in characters.
pub const MAX_URL: usize = 2_000;
/// The longest role, in characters.
pub const MAX_ROLE: usize = 100;
/// The longest slug, in characters.
pub const MAX_SLUG: usize = 100;

/// Why files cannot be imported: what is wrong with them, or the database failing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The files break rules of the graph.
    #[error("{0}")]
    Invalid(Problems),
    /// The database failed.
    #[error("the database failed: {0}")]
    Database(#[from] DbErr),
}

impl From<Problems> for ImportError {
    fn from(problems: Problems) -> Self {
        Self::Invalid(problems)
    }
}

/// Validates `files` and resolves what they reference in `db`: every problem, or the facts.
pub async fn validate<C: ConnectionTrait>(
    db: &C,
    files: &[ParsedFile],
) -> Result<Batch, ImportError> {
    let mut checker = Checker::default();
    for file in files {
        checker.file(file);
    }
    checker.resolve(db).await?;
    for file in files {
        checker.edges_and_citations(file);
    }
    checker.problems.into_result()?;
    Ok(checker.batch)
}

/// A reference to a node, parsed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Reference {
    /// `kind:slug`.
    Slug(NodeKind, String),
    /// `country:XXX`, by alpha-3 code.
    Alpha3(String),
}

#[derive(Default)]
struct Checker {
    batch: Batch,
    problems: Problems,
    /// Where each node of the files is defined.
    defined: HashMap<Uuid, Place>,
    /// The kind of every node the files define or reference that exists.
    known: HashMap<Uuid, NodeKind>,
    /// Alpha-3 codes to alpha-2 slugs, from the files and the database.
    alpha3: HashMap<String, String>,
    /// References not defined by the files, to look up.
    wanted: HashSet<Reference>,
    /// The `cites` of the file being checked when it names no source: said once, for the file.
    missing_file_cites: Option<String>,
}

fn kinds_list() -> String {
    NodeKind::iter()
        .map(|kind| format!("`{}`", kind.as_str().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn values_of<E: ActiveEnum<Value = String> + Iterable>() -> String {
    E::iter()
        .map(|value| format!("`{}`", value.to_value()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.chars().count() <= MAX_SLUG
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Parses `kind:slug`; the message says what a reference looks like.
fn parse_reference(text: &str) -> Result<Reference, String> {
    let Some((kind, slug)) = text.split_once(':') else {
        return Err(format!(
            "`{text}` is not a reference: write `kind:slug`, e.g. `working_group:dgx-2022-ai`"
        ));
    };
    let kind = NodeKind::from_stored(&kind.to_uppercase()).ok_or_else(|| {
        format!(
            "`{kind}` is not a kind of node; the kinds are {}",
            kinds_list()
        )
    })?;
    if kind == NodeKind::Country {
        let code = slug.to_uppercase();
        let letters = code.bytes().all(|b| b.is_ascii_uppercase());
        return match code.len() {
            2 if letters => Ok(Reference::Slug(kind, code.to_lowercase())),
            3 if letters => Ok(Reference::Alpha3(code)),
            _ => Err(format!(
                "`{slug}` is not a country code: write its ISO 3166-1 alpha-2 or alpha-3 code, \
                 e.g. `country:sg`"
            )),
        };
    }
    if !is_slug(slug) {
        return Err(format!(
            "`{slug}` is not a slug: lower-case letters, digits and single hyphens, at most \
             {MAX_SLUG} characters"
        ));
    }
    Ok(Reference::Slug(kind, slug.to_owned()))
}

/// A text's problem, if any: blank, too long, or holding control characters.
fn text_problem(text: &str, max: usize) -> Option<String> {
    if text.trim().is_empty() {
        return Some("is blank".to_owned());
    }
    let length = text.chars().count();
    if length > max {
        return Some(format!(
            "is {length} characters long; at most {max} are allowed"
        ));
    }
    text.chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
        .map(|c| format!("holds the control character U+{:04X}", u32::from(c)))
}

/// The fields of a node entry that only some kinds have, with whether each is set.
fn detail_fields(entry: &NodeEntry) -> [(&'static str, bool); 20] {
    [
        ("acronym", entry.acronym.is_some()),
        ("established", entry.established.is_some()),
        ("short_name", entry.short_name.is_some()),
        ("starts_on", entry.starts_on.is_some()),
        ("ends_on", entry.ends_on.is_some()),
        ("location", entry.location.is_some()),
        ("edition", entry.edition.is_some()),
        ("format", entry.format.is_some()),
        ("org_kind", entry.org_kind.is_some()),
        ("honorific", entry.honorific.is_some()),
        ("title", entry.title.is_some()),
        ("deliverable_kind", entry.deliverable_kind.is_some()),
        ("published", entry.published.is_some()),
        ("url", entry.url.is_some()),
        ("alpha3", entry.alpha3.is_some()),
        ("numeric_code", entry.numeric_code.is_some()),
        ("iso_name", entry.iso_name.is_some()),
        ("official_name", entry.official_name.is_some()),
        ("region", entry.region.is_some()),
        ("subregion", entry.subregion.is_some()),
    ]
}

/// The detail fields a node of `kind` has.
pub(crate) fn fields_of(kind: NodeKind) -> &'static [&'static str] {
    match kind {
        NodeKind::Partnership => &["acronym", "established"],
        NodeKind::WorkingGroup => &["short_name"],
        NodeKind::Event => &["starts_on", "ends_on", "location", "edition", "format"],
        NodeKind::Person => &["honorific", "title"],
        NodeKind::Organisation => &["org_kind", "acronym"],
        NodeKind::Deliverable => &["deliverable_kind", "published", "url"],
        NodeKind::Country => &[
            "short_name",
            "alpha3",
            "numeric_code",
            "iso_name",
            "official_name",
            "region",
            "subregion",
        ],
        NodeKind::Topic | NodeKind::Source => &[],
    }
}

/// Checks the fields of one entry, noting each problem at its field.
struct Fields<'a, T> {
    located: &'a Located<T>,
    label: String,
    problems: &'a mut Problems,
}

impl<T> Fields<'_, T> {
    fn problem(&mut self, field: &str, message: impl Display) {
        self.problems.push(Problem {
            place: self.located.field(field),
            field: if field.is_empty() {
                self.label.clone()
            } else {
                format!("{}.{field}", self.label)
            },
            message: message.to_string(),
        });
    }

    fn text(&mut self, field: &str, value: &str, max: usize) {
        if let Some(problem) = text_problem(value, max) {
            self.problem(field, problem);
        }
    }

    fn optional_text(&mut self, field: &str, value: Option<&String>, max: usize) -> Option<String> {
        let value = value?;
        self.text(field, value, max);
        Some(value.clone())
    }

    fn date(&mut self, field: &str, value: Option<&String>) -> Option<PartialDate> {
        match value?.parse::<PartialDate>() {
            Ok(date) => Some(date),
            Err(error) => {
                self.problem(field, error);
                None
            }
        }
    }

    fn value<E: ActiveEnum<Value = String> + Iterable>(
        &mut self,
        field: &str,
        value: &str,
    ) -> Option<E> {
        match E::try_from_value(&value.to_owned()) {
            Ok(value) => Some(value),
            Err(_) => {
                self.problem(
                    field,
                    format!("`{value}` is not one of {}", values_of::<E>()),
                );
                None
            }
        }
    }

    fn optional_value<E: ActiveEnum<Value = String> + Iterable>(
        &mut self,
        field: &str,
        value: Option<&String>,
    ) -> Option<E> {
        self.value(field, value?)
    }

    fn required<'v, V>(
        &mut self,
        field: &str,
        value: Option<&'v V>,
        kind: NodeKind,
    ) -> Option<&'v V> {
        if value.is_none() {
            self.problem(
                field,
                format!("a {} needs `{field}`", kind.as_str().to_lowercase()),
            );
        }
        value
    }

    /// The end of a period is not before its start.
    fn ordered(&mut self, field: &str, start: Option<&PartialDate>, end: Option<&PartialDate>) {
        if let (Some(start), Some(end)) = (start, end)
            && !end.is_not_before(start)
        {
            self.problem(field, format!("`{end}` is before the start, `{start}`"));
        }
    }
}

impl Checker {
    fn file(&mut self, file: &ParsedFile) {
        for (n, located) in file.sources.iter().enumerate() {
            let label = format!("source #{} ({})", n + 1, located.entry.slug);
            if let Some(fact) = self.source(located, label) {
                self.define(fact, &located.place);
            }
        }
        for (n, located) in file.nodes.iter().enumerate() {
            let label = format!("node #{} ({})", n + 1, located.entry.reference);
            if let Some(fact) = self.node(located, label) {
                self.define(fact, &located.place);
            }
        }
        // What the file references, to look up where the files do not define it.
        let nodes = file.nodes.iter().map(|node| &node.entry);
        let edges = file.edges.iter().map(|edge| &edge.entry);
        let references = file
            .cites
            .iter()
            .map(|cites| &cites.entry)
            .chain(nodes.flat_map(|node| {
                node.cites
                    .iter()
                    .chain(node.citations.iter().map(|c| &c.source))
            }))
            .chain(edges.flat_map(|edge| {
                edge.subjects
                    .iter()
                    .chain(&edge.objects)
                    .chain(&edge.cites)
                    .chain(edge.citations.iter().map(|c| &c.source))
            }));
        for text in references {
            if let Ok(reference) = parse_reference(text) {
                self.wanted.insert(reference);
            }
        }
    }

    fn define(&mut self, fact: NodeFact, place: &Place) {
        let id = fact.id();
        if let Some(first) = self.defined.get(&id) {
            self.problems.push(Problem {
                place: place.clone(),
                field: format!("{}:{}", fact.kind.as_str().to_lowercase(), fact.slug),
                message: format!("is defined twice: first at {first}"),
            });
            return;
        }
        if let Detail::Country(country) = &fact.detail {
            self.alpha3
                .insert(country.alpha3.clone(), fact.slug.clone());
        }
        self.defined.insert(id, place.clone());
        self.known.insert(id, fact.kind);
        self.batch.nodes.push(fact);
    }

    fn source(&mut self, located: &Located<SourceEntry>, label: String) -> Option<NodeFact> {
        let entry = &located.entry;
        let mut fields = Fields {
            located,
            label,
            problems: &mut self.problems,
        };
        if !is_slug(&entry.slug) {
            fields.problem(
                "slug",
                format!(
                    "`{}` is not a slug: lower-case letters, digits and single hyphens, at most \
                     {MAX_SLUG} characters",
                    entry.slug
                ),
            );
        }
        fields.text("name", &entry.name, MAX_NAME);
        let summary = fields.optional_text("summary", entry.summary.as_ref(), MAX_SUMMARY);
        let source_kind = fields.value::<SourceKind>("source_kind", &entry.source_kind);
        let detail = source::Model {
            node_id: Uuid::nil(),
            kind: NodeKind::Source,
            source_kind: source_kind?,
            url: fields.optional_text("url", entry.url.as_ref(), MAX_URL),
            publisher: fields.optional_text("publisher", entry.publisher.as_ref(), MAX_NAME),
            published: fields.date("published", entry.published.as_ref()),
            licence: fields.optional_text("licence", entry.licence.as_ref(), MAX_NAME),
        };
        Some(NodeFact {
            kind: NodeKind::Source,
            slug: entry.slug.clone(),
            name: entry.name.clone(),
            summary,
            detail: Detail::Source(detail),
            external_ids: BTreeMap::new(),
        })
    }

    fn node(&mut self, located: &Located<NodeEntry>, label: String) -> Option<NodeFact> {
        let entry = &located.entry;
        let mut fields = Fields {
            located,
            label,
            problems: &mut self.problems,
        };
        let (kind, slug) = match parse_reference(&entry.reference) {
            Ok(Reference::Slug(NodeKind::Source, _)) => {
                fields.problem("ref", "a source is a `[[source]]` entry, not a `[[node]]`");
                return None;
            }
            Ok(Reference::Slug(kind, slug)) => (kind, slug),
            Ok(Reference::Alpha3(_)) => {
                fields.problem(
                    "ref",
                    "a country is defined by its alpha-2 code: `country:` and two letters",
                );
                return None;
            }
            Err(message) => {
                fields.problem("ref", message);
                return None;
            }
        };
        fields.text("name", &entry.name, MAX_NAME);
        let summary = fields.optional_text("summary", entry.summary.as_ref(), MAX_SUMMARY);
        let allowed = fields_of(kind);
        for (field, set) in detail_fields(entry) {
            if set && !allowed.contains(&field) {
                let has = if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                };
                fields.problem(
                    field,
                    format!(
                        "does not apply to a {}; the fields of its kind are: {has}",
                        kind.as_str().to_lowercase()
                    ),
                );
            }
        }
        for (scheme, value) in &entry.external_ids {
            let field = format!("external_ids.{scheme}");
            let well_formed = !scheme.is_empty()
                && scheme.len() <= 32
                && scheme.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !well_formed {
                fields.problem(
                    &field,
                    "a scheme is 1 to 32 lower-case letters, digits, `-` and `_`",
                );
            }
            fields.text(&field, value, MAX_NAME);
        }
        let nil = Uuid::nil();
        let short_name = fields.optional_text("short_name", entry.short_name.as_ref(), MAX_NAME);
        let detail = match kind {
            NodeKind::Partnership => Detail::Partnership(partnership::Model {
                node_id: nil,
                kind,
                acronym: fields.optional_text("acronym", entry.acronym.as_ref(), MAX_NAME),
                established: fields.date("established", entry.established.as_ref()),
            }),
            NodeKind::WorkingGroup => Detail::WorkingGroup(working_group::Model {
                node_id: nil,
                kind,
                short_name,
            }),
            NodeKind::Event => {
                let starts_on = fields.date("starts_on", entry.starts_on.as_ref());
                let ends_on = fields.date("ends_on", entry.ends_on.as_ref());
                fields.ordered("ends_on", starts_on.as_ref(), ends_on.as_ref());
                if let Some(edition) = entry.edition
                    && edition < 1
                {
                    fields.problem("edition", "an edition is counted from 1");
                }
                Detail::Event(event::Model {
                    node_id: nil,
                    kind,
                    starts_on,
                    ends_on,
                    location: fields.optional_text("location", entry.location.as_ref(), MAX_NAME),
                    edition: entry.edition,
                    format: fields.optional_value::<EventFormat>("format", entry.format.as_ref()),
                })
            }
            NodeKind::Person => Detail::Person(person::Model {
                node_id: nil,
                kind,
                honorific: fields.optional_text("honorific", entry.honorific.as_ref(), MAX_NAME),
                title: fields.optional_text("title", entry.title.as_ref(), MAX_NAME),
            }),
            NodeKind::Organisation => Detail::Organisation(organisation::Model {
                node_id: nil,
                kind,
                org_kind: fields
                    .optional_value::<OrganisationKind>("org_kind", entry.org_kind.as_ref()),
                acronym: fields.optional_text("acronym", entry.acronym.as_ref(), MAX_NAME),
            }),
            NodeKind::Deliverable => {
                let deliverable_kind = fields
                    .required("deliverable_kind", entry.deliverable_kind.as_ref(), kind)
                    .and_then(|value| fields.value::<DeliverableKind>("deliverable_kind", value));
                Detail::Deliverable(deliverable::Model {
                    node_id: nil,
                    kind,
                    deliverable_kind: deliverable_kind?,
                    published: fields.date("published", entry.published.as_ref()),
                    url: fields.optional_text("url", entry.url.as_ref(), MAX_URL),
                })
            }
            NodeKind::Country => {
                let alpha3 = fields.required("alpha3", entry.alpha3.as_ref(), kind);
                if let Some(code) = alpha3
                    && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
                {
                    fields.problem(
                        "alpha3",
                        format!("`{code}` is not three upper-case letters"),
                    );
                }
                let numeric = fields.required("numeric_code", entry.numeric_code.as_ref(), kind);
                if let Some(code) = numeric
                    && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
                {
                    fields.problem("numeric_code", format!("`{code}` is not three digits"));
                }
                let iso_name = fields.required("iso_name", entry.iso_name.as_ref(), kind);
                let official_name =
                    fields.required("official_name", entry.official_name.as_ref(), kind);
                Detail::Country(country::Model {
                    node_id: nil,
                    kind,
                    alpha2: slug.to_uppercase(),
                    alpha3: alpha3?.clone(),
                    numeric_code: numeric?.clone(),
                    iso_name: fields.optional_text("iso_name", iso_name, MAX_NAME)?,
                    short_name,
                    official_name: fields.optional_text(
                        "official_name",
                        official_name,
                        MAX_NAME,
                    )?,
                    region: fields.optional_text("region", entry.region.as_ref(), MAX_NAME),
                    subregion: fields.optional_text(
                        "subregion",
                        entry.subregion.as_ref(),
                        MAX_NAME,
                    ),
                })
            }
            NodeKind::Topic | NodeKind::Source => Detail::None,
        };
        Some(NodeFact {
            kind,
            slug,
            name: entry.name.clone(),
            summary,
            detail,
            external_ids: entry.external_ids.clone(),
        })
    }

    /// Looks up in `db` the nodes the files reference and do not define.
    async fn resolve<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        // References are gathered as the edges are read; read them first.
        let wanted: Vec<Reference> = self.wanted.drain().collect();
        let codes: Vec<String> = wanted
            .iter()
            .filter_map(|reference| match reference {
                Reference::Alpha3(code) if !self.alpha3.contains_key(code) => Some(code.clone()),
                _ => None,
            })
            .collect();
        for chunk in codes.chunks(CHUNK) {
            let rows: Vec<(String, String)> = country::Entity::find()
                .select_only()
                .column(country::Column::Alpha3)
                .column(country::Column::Alpha2)
                .filter(country::Column::Alpha3.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(db)
                .await?;
            for (alpha3, alpha2) in rows {
                self.alpha3.insert(alpha3, alpha2.to_lowercase());
            }
        }
        let ids: Vec<Uuid> = wanted
            .iter()
            .filter_map(|reference| self.id_of(reference))
            .filter(|id| !self.known.contains_key(id))
            .collect();
        for chunk in ids.chunks(CHUNK) {
            let rows: Vec<(Uuid, NodeKind)> = node::Entity::find()
                .select_only()
                .column(node::Column::Id)
                .column(node::Column::Kind)
                .filter(node::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            self.known.extend(rows);
        }
        Ok(())
    }

    fn id_of(&self, reference: &Reference) -> Option<Uuid> {
        match reference {
            Reference::Slug(kind, slug) => Some(node_id(*kind, slug)),
            Reference::Alpha3(code) => self
                .alpha3
                .get(code)
                .map(|slug| node_id(NodeKind::Country, slug)),
        }
    }

    fn edges_and_citations(&mut self, file: &ParsedFile) {
        let file_cites = file.cites.as_ref().map(|cites| cites.entry.as_str());
        self.missing_file_cites = None;
        if let Some(cites) = &file.cites {
            let source = match parse_reference(&cites.entry) {
                Ok(Reference::Slug(NodeKind::Source, slug)) => {
                    Some(node_id(NodeKind::Source, &slug))
                }
                _ => None,
            };
            let message = match source {
                None => Some(format!(
                    "`{}` is not a source: write `source:slug`",
                    cites.entry
                )),
                Some(id) if self.known.get(&id) != Some(&NodeKind::Source) => Some(format!(
                    "`{}` is neither in the files nor in the graph",
                    cites.entry
                )),
                Some(_) => None,
            };
            self.missing_file_cites = message.is_some().then(|| cites.entry.clone());
            if let Some(message) = message {
                self.problems.push(Problem {
                    place: cites.place.clone(),
                    field: "cites".to_owned(),
                    message,
                });
            }
        }
        for (n, located) in file.nodes.iter().enumerate() {
            let entry = &located.entry;
            let label = format!("node #{} ({})", n + 1, entry.reference);
            let Ok(reference) = parse_reference(&entry.reference) else {
                continue;
            };
            let Some(id) = self.id_of(&reference) else {
                continue;
            };
            let citations = citations_of(
                entry.excerpt.as_ref(),
                entry.cites.as_ref(),
                &entry.citations,
                file_cites,
            );
            self.citations(located, &label, Fact::Node(id), &citations);
        }
        for located in &file.sources {
            // A source states itself: its citation is what `--prune` keeps it by.
            let id = node_id(NodeKind::Source, &located.entry.slug);
            self.batch.citations.push(CitationFact {
                source: id,
                fact: Fact::Node(id),
                excerpt: None,
            });
        }
        let mut seen: HashMap<Uuid, Place> = HashMap::new();
        for (n, located) in file.edges.iter().enumerate() {
            let entry = &located.entry;
            let label = format!("edge #{} ({})", n + 1, entry.predicate);
            let mut fields = Fields {
                located,
                label: label.clone(),
                problems: &mut self.problems,
            };
            let predicate = match Predicate::from_stored(&entry.predicate) {
                Some(predicate) => Some(predicate),
                None => {
                    let valid = Predicate::iter()
                        .map(|p| format!("`{}`", p.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    fields.problem(
                        "predicate",
                        format!(
                            "`{}` is not a predicate; the predicates are {valid}",
                            entry.predicate
                        ),
                    );
                    None
                }
            };
            let role = fields.optional_text("role", entry.role.as_ref(), MAX_ROLE);
            let valid_from = fields.date("valid_from", entry.valid_from.as_ref());
            let valid_to = fields.date("valid_to", entry.valid_to.as_ref());
            fields.ordered("valid_to", valid_from.as_ref(), valid_to.as_ref());
            if entry.subjects.is_empty() {
                fields.problem("subjects", "names no node");
            }
            if entry.objects.is_empty() {
                fields.problem("objects", "names no node");
            }
            let subjects = self.ends(located, &label, "subjects", &entry.subjects);
            let objects = self.ends(located, &label, "objects", &entry.objects);
            let citations = citations_of(
                entry.excerpt.as_ref(),
                entry.cites.as_ref(),
                &entry.citations,
                file_cites,
            );
            let Some(predicate) = predicate else {
                continue;
            };
            for &(subject, subject_kind, ref subject_text) in &subjects {
                for &(object, object_kind, ref object_text) in &objects {
                    let mut fields = Fields {
                        located,
                        label: label.clone(),
                        problems: &mut self.problems,
                    };
                    if subject == object {
                        fields.problem(
                            "objects",
                            format!("`{subject_text}` cannot be joined to itself"),
                        );
                        continue;
                    }
                    if !predicate.allows(subject_kind, object_kind) {
                        let subjects = kinds_text(&predicate.subject_kinds());
                        let objects = kinds_text(&predicate.object_kinds(subject_kind));
                        let message = if predicate.subject_kinds().contains(&subject_kind) {
                            format!(
                                "{} cannot join `{subject_text}` to `{object_text}`: from a {}, \
                                 it goes to {objects}",
                                predicate.as_str(),
                                subject_kind.as_str().to_lowercase()
                            )
                        } else {
                            format!(
                                "{} cannot join `{subject_text}` to `{object_text}`: it goes from \
                                 {subjects}",
                                predicate.as_str()
                            )
                        };
                        fields.problem("predicate", message);
                        continue;
                    }
                    let edge = EdgeFact {
                        subject,
                        predicate,
                        object,
                        role: role.clone(),
                        valid_from: valid_from.clone(),
                        valid_to: valid_to.clone(),
                    };
                    let id = edge.id();
                    if let Some(first) = seen.get(&id) {
                        fields.problem(
                            "",
                            format!(
                                "`{subject_text}` {} `{object_text}` is stated twice: first at \
                                 {first}",
                                predicate.as_str()
                            ),
                        );
                        continue;
                    }
                    seen.insert(id, located.place.clone());
                    self.citations(located, &label, Fact::Edge(id), &citations);
                    self.batch.edges.push(edge);
                }
            }
        }
    }

    /// The nodes an edge's `field` names, each with its kind; a problem for each it cannot.
    fn ends<T>(
        &mut self,
        located: &Located<T>,
        label: &str,
        field: &str,
        references: &[String],
    ) -> Vec<(Uuid, NodeKind, String)> {
        let mut ends = Vec::with_capacity(references.len());
        for text in references {
            let found = parse_reference(text).and_then(|reference| {
                let id = self
                    .id_of(&reference)
                    .ok_or_else(|| format!("`{text}`: no country has this alpha-3 code"))?;
                self.known
                    .get(&id)
                    .map(|kind| (id, *kind))
                    .ok_or_else(|| format!("`{text}` is neither in the files nor in the graph"))
            });
            match found {
                Ok((id, kind)) => ends.push((id, kind, text.clone())),
                Err(message) => self.problems.push(Problem {
                    place: located.field(field),
                    field: format!("{label}.{field}"),
                    message,
                }),
            }
        }
        ends
    }

    /// The citations of `fact`: each names a source of the files or the graph, with words
    /// that are not blank; at least one.
    fn citations<T>(
        &mut self,
        located: &Located<T>,
        label: &str,
        fact: Fact,
        citations: &[CitationEntry],
    ) {
        let problem = |field: &str, message: String| Problem {
            place: located.field(field),
            field: format!("{label}.{field}"),
            message,
        };
        if citations.is_empty() {
            let problem = problem(
                "excerpt",
                "cites no source: the file has no `cites`, and the entry neither `cites` nor \
                 `citations`"
                    .to_owned(),
            );
            self.problems.push(problem);
            return;
        }
        let mut sources = HashSet::new();
        for citation in citations {
            let field = "citations";
            if self.missing_file_cites.as_ref() == Some(&citation.source) {
                continue;
            }
            let source = match parse_reference(&citation.source) {
                Ok(Reference::Slug(NodeKind::Source, slug)) => node_id(NodeKind::Source, &slug),
                _ => {
                    self.problems.push(problem(
                        field,
                        format!("`{}` is not a source: write `source:slug`", citation.source),
                    ));
                    continue;
                }
            };
            if self.known.get(&source) != Some(&NodeKind::Source) {
                self.problems.push(problem(
                    field,
                    format!(
                        "`{}` is neither in the files nor in the graph",
                        citation.source
                    ),
                ));
                continue;
            }
            if let Some(excerpt) = &citation.excerpt
                && let Some(message) = text_problem(excerpt, MAX_EXCERPT)
            {
                self.problems
                    .push(problem("excerpt", format!("the excerpt {message}")));
                continue;
            }
            if !sources.insert(source) {
                self.problems
                    .push(problem(field, format!("cites `{}` twice", citation.source)));
                continue;
            }
            self.batch.citations.push(CitationFact {
                source,
                fact,
                excerpt: citation.excerpt.clone(),
            });
        }
    }
}

fn kinds_text(kinds: &[NodeKind]) -> String {
    kinds
        .iter()
        .map(|kind| format!("a {}", kind.as_str().to_lowercase()))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Ids per `IN (...)` list: well under both databases' bound-parameter limits.
const CHUNK: usize = 500;
