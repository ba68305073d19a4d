//! A synthetic graph shaped like the real one, for load tests: `govgraph generate --scale N`.
//!
//! Each unit of scale adds 250 organisations, 2,000 people, 50 working groups, 10 partnerships,
//! 20 events, 1,000 deliverables, 50 topics, 10 sources and 10,000 relationships among them and
//! the ISO countries, with roles, validity dates and a citation for every node and edge. The
//! graph is a function of the scale alone: the same scale gives the same rows, with the same
//! ids, on every database, and generating again inserts nothing. Every synthetic slug starts
//! with `synthetic-`, so the real data set stays apart and intact.

use std::collections::HashSet;

use govgraph_entities::{
    DeliverableKind, Detail, EventFormat, NodeKind, OrganisationKind, PartialDate, Predicate,
    SourceKind, deliverable, event, node, organisation, partnership, person, source, working_group,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::facts::{Batch, CitationFact, EdgeFact, Fact, NodeFact, node_id};
use crate::import::{self, Options};

/// What a generation wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Nodes inserted (existing ones are left as they are).
    pub nodes: u64,
    /// Edges inserted.
    pub edges: u64,
    /// Citations inserted.
    pub citations: u64,
}

/// The most units of scale one run generates.
pub const MAX_SCALE: u32 = 100;

/// How many nodes of each kind, and edges, one unit of scale adds.
const ORGANISATIONS: usize = 250;
const PEOPLE: usize = 2_000;
const WORKING_GROUPS: usize = 50;
const PARTNERSHIPS: usize = 10;
const EVENTS: usize = 20;
const DELIVERABLES: usize = 1_000;
const TOPICS: usize = 50;
const SOURCES: usize = 10;

/// The edges of one unit: (subject kind, predicate, object kind, how many, role). They add up
/// to 10,000.
const EDGES: &[(NodeKind, Predicate, NodeKind, usize, Option<&str>)] = &[
    (
        NodeKind::Country,
        Predicate::MemberOf,
        NodeKind::WorkingGroup,
        2_000,
        Some("member"),
    ),
    (
        NodeKind::WorkingGroup,
        Predicate::Produced,
        NodeKind::Deliverable,
        1_000,
        None,
    ),
    (
        NodeKind::Person,
        Predicate::AffiliatedWith,
        NodeKind::Organisation,
        2_000,
        None,
    ),
    (
        NodeKind::Person,
        Predicate::MemberOf,
        NodeKind::WorkingGroup,
        1_500,
        Some("delegate"),
    ),
    (
        NodeKind::Organisation,
        Predicate::MemberOf,
        NodeKind::Partnership,
        500,
        Some("member"),
    ),
    (
        NodeKind::Person,
        Predicate::ParticipatesIn,
        NodeKind::Event,
        1_500,
        Some("speaker"),
    ),
    (
        NodeKind::Partnership,
        Predicate::HasWorkingGroup,
        NodeKind::WorkingGroup,
        50,
        None,
    ),
    (
        NodeKind::WorkingGroup,
        Predicate::FocusesOn,
        NodeKind::Topic,
        150,
        None,
    ),
    (
        NodeKind::Deliverable,
        Predicate::FocusesOn,
        NodeKind::Topic,
        500,
        None,
    ),
    (
        NodeKind::Country,
        Predicate::Hosts,
        NodeKind::Event,
        20,
        None,
    ),
    (
        NodeKind::Organisation,
        Predicate::Organises,
        NodeKind::Event,
        20,
        None,
    ),
    (
        NodeKind::Person,
        Predicate::Authored,
        NodeKind::Deliverable,
        500,
        None,
    ),
    (
        NodeKind::Country,
        Predicate::CoChairs,
        NodeKind::WorkingGroup,
        100,
        Some("co-chair"),
    ),
    (
        NodeKind::Topic,
        Predicate::PartOf,
        NodeKind::Topic,
        40,
        None,
    ),
    (
        NodeKind::Event,
        Predicate::PartOf,
        NodeKind::Partnership,
        20,
        None,
    ),
    (
        NodeKind::Organisation,
        Predicate::PartOf,
        NodeKind::Organisation,
        100,
        None,
    ),
];

const FIRST_NAMES: &[&str] = &[
    "Amara", "Bjorn", "Chen", "Dalia", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Jia", "Kofi",
    "Leila", "Mateo", "Nadia", "Oren", "Priya", "Quentin", "Rosa", "Sione", "Tariq", "Uma",
    "Viktor", "Wanjiru", "Xavier", "Yuki", "Zainab",
];
const LAST_NAMES: &[&str] = &[
    "Abara", "Berg", "Costa", "Dubois", "Eze", "Fischer", "Gupta", "Haddad", "Ito", "Jensen",
    "Kim", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Santos",
    "Tanaka", "Usman", "Virtanen", "Wong", "Xu", "Yilmaz", "Zulu",
];
const TITLES: &[&str] = &[
    "Director",
    "Chief Digital Officer",
    "Policy Lead",
    "Product Manager",
    "Engineer",
    "Researcher",
    "Adviser",
    "Programme Officer",
];
const SUBJECTS: &[&str] = &[
    "Digital Identity",
    "Cloud",
    "Open Data",
    "Cybersecurity",
    "Payments",
    "AI",
    "Procurement",
    "Service Design",
    "Data Protection",
    "Interoperability",
    "Skills",
    "Inclusion",
];
const ORGANISATION_WORDS: &[&str] = &[
    "Agency",
    "Office",
    "Institute",
    "Authority",
    "Service",
    "Council",
    "Lab",
    "Foundation",
];
const PARTNERSHIP_WORDS: &[&str] = &["Exchange", "Alliance", "Network", "Forum", "Partnership"];
const DELIVERABLE_WORDS: &[&str] = &["Playbook", "Report", "Toolkit", "Framework", "Guide"];

/// A node of the synthetic graph, with its detail.
struct Generated {
    kind: NodeKind,
    slug: String,
    name: String,
    detail: Option<Detail>,
    cited_by: Uuid,
}

/// Writes one unit of scale: its nodes, edges and citations.
struct Unit<'a> {
    index: u32,
    random: fastrand::Rng,
    countries: &'a [Uuid],
    nodes: Vec<Generated>,
}

fn pick<'a>(random: &mut fastrand::Rng, words: &'a [&'a str]) -> &'a str {
    words[random.usize(..words.len())]
}

/// A year from 2012 to 2026, as a partial date.
fn year(random: &mut fastrand::Rng) -> Option<PartialDate> {
    random.i32(2012..=2026).to_string().parse().ok()
}

impl Unit<'_> {
    fn source(&self, n: usize) -> Uuid {
        node_id(
            NodeKind::Source,
            &format!("synthetic-{}-source-{}", self.index, n % SOURCES),
        )
    }

    fn add(&mut self, kind: NodeKind, n: usize, name: String, detail: Option<Detail>) {
        let slug = format!(
            "synthetic-{}-{}-{n}",
            self.index,
            kind.as_str().to_lowercase().replace('_', "-")
        );
        let cited_by = self.source(n);
        self.nodes.push(Generated {
            kind,
            slug,
            name,
            detail,
            cited_by,
        });
    }

    fn nodes(&mut self) {
        let u = self.index;
        for n in 0..SOURCES {
            let detail = source::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::Source,
                source_kind: SourceKind::iter().nth(n % 4).unwrap_or(SourceKind::Report),
                url: Some(format!("https://example.org/synthetic/{u}/{n}")),
                publisher: Some("govgraph synthetic data".to_owned()),
                published: year(&mut self.random),
                licence: Some("CC0-1.0".to_owned()),
            };
            let name = format!("Synthetic source {u}.{n}");
            self.add(NodeKind::Source, n, name, Some(Detail::Source(detail)));
        }
        let org_kinds: Vec<OrganisationKind> = OrganisationKind::iter().collect();
        for n in 0..ORGANISATIONS {
            let word = pick(&mut self.random, ORGANISATION_WORDS);
            let subject = pick(&mut self.random, SUBJECTS);
            let detail = organisation::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::Organisation,
                org_kind: Some(org_kinds[n % org_kinds.len()]),
                acronym: Some(format!("S{u}O{n}")),
            };
            let name = format!("{subject} {word} {u}-{n}");
            self.add(
                NodeKind::Organisation,
                n,
                name,
                Some(Detail::Organisation(detail)),
            );
        }
        for n in 0..PEOPLE {
            let first = pick(&mut self.random, FIRST_NAMES);
            let last = pick(&mut self.random, LAST_NAMES);
            let detail = person::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::Person,
                honorific: (n % 5 == 0).then(|| "Dr".to_owned()),
                title: Some(pick(&mut self.random, TITLES).to_owned()),
            };
            let name = format!("{first} {last} {u}-{n}");
            self.add(NodeKind::Person, n, name, Some(Detail::Person(detail)));
        }
        for n in 0..WORKING_GROUPS {
            let subject = pick(&mut self.random, SUBJECTS);
            let detail = working_group::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::WorkingGroup,
                short_name: Some(format!("{subject} WG {u}-{n}")),
            };
            let name = format!("{subject} Working Group {u}-{n}");
            self.add(
                NodeKind::WorkingGroup,
                n,
                name,
                Some(Detail::WorkingGroup(detail)),
            );
        }
        for n in 0..PARTNERSHIPS {
            let word = pick(&mut self.random, PARTNERSHIP_WORDS);
            let detail = partnership::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::Partnership,
                acronym: Some(format!("SP{u}-{n}")),
                established: year(&mut self.random),
            };
            let name = format!("Digital Government {word} {u}-{n}");
            self.add(
                NodeKind::Partnership,
                n,
                name,
                Some(Detail::Partnership(detail)),
            );
        }
        let formats: Vec<EventFormat> = EventFormat::iter().collect();
        for n in 0..EVENTS {
            let starts = year(&mut self.random);
            let detail = event::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::Event,
                starts_on: starts.clone(),
                ends_on: starts,
                location: Some(format!("Synthetic City {}", n % 7)),
                edition: i32::try_from(n + 1).ok(),
                format: Some(formats[n % formats.len()]),
            };
            let name = format!("GovTech Summit {u}-{n}");
            self.add(NodeKind::Event, n, name, Some(Detail::Event(detail)));
        }
        let deliverable_kinds: Vec<DeliverableKind> = DeliverableKind::iter().collect();
        for n in 0..DELIVERABLES {
            let subject = pick(&mut self.random, SUBJECTS);
            let word = pick(&mut self.random, DELIVERABLE_WORDS);
            let detail = deliverable::Model {
                node_id: Uuid::nil(),
                kind: NodeKind::Deliverable,
                deliverable_kind: deliverable_kinds[n % deliverable_kinds.len()],
                published: year(&mut self.random),
                url: Some(format!("https://example.org/synthetic/{u}/deliverable/{n}")),
            };
            let name = format!("{subject} {word} {u}-{n}");
            self.add(
                NodeKind::Deliverable,
                n,
                name,
                Some(Detail::Deliverable(detail)),
            );
        }
        for n in 0..TOPICS {
            let subject = pick(&mut self.random, SUBJECTS);
            self.add(NodeKind::Topic, n, format!("{subject} {u}-{n}"), None);
        }
    }

    /// The ids of this unit's nodes of `kind` (the countries for countries).
    fn ids_of(&self, kind: NodeKind) -> Vec<Uuid> {
        if kind == NodeKind::Country {
            return self.countries.to_vec();
        }
        self.nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| node_id(n.kind, &n.slug))
            .collect()
    }

    /// `count` distinct edges of each family: each subject in turn, joined to an object drawn
    /// at random among this unit's nodes.
    fn edges(&mut self) -> Vec<(EdgeFact, Uuid)> {
        let mut edges = Vec::new();
        for &(subject_kind, predicate, object_kind, count, role) in EDGES {
            let subjects = self.ids_of(subject_kind);
            let objects = self.ids_of(object_kind);
            let mut seen = HashSet::new();
            let possible = subjects.len() * objects.len();
            let mut drawn = 0;
            while seen.len() < count.min(possible) {
                // Subjects take turns, so that each has its share of edges.
                let subject = subjects[drawn % subjects.len()];
                drawn += 1;
                let object = objects[self.random.usize(..objects.len())];
                if subject == object || !seen.insert((subject, object)) {
                    continue;
                }
                let role = match predicate {
                    Predicate::AffiliatedWith => Some(pick(&mut self.random, TITLES).to_owned()),
                    _ => role.map(str::to_owned),
                };
                let (valid_from, valid_to) = if self.random.bool() {
                    let from = year(&mut self.random);
                    let to = if self.random.bool() {
                        from.clone()
                    } else {
                        None
                    };
                    (from, to)
                } else {
                    (None, None)
                };
                let fact = EdgeFact {
                    subject,
                    predicate,
                    object,
                    role,
                    valid_from,
                    valid_to,
                };
                let cited_by = self.source(edges.len());
                edges.push((fact, cited_by));
            }
        }
        edges
    }
}

/// Why a synthetic graph cannot be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The scale is out of range.
    #[error("the scale must be between 1 and {MAX_SCALE}, not {0}")]
    Scale(u32),
    /// The countries of the default data set are missing: the default data set is not imported.
    #[error(
        "the database holds no countries: import the default data set first (`govgraph import --default`)"
    )]
    NoCountries,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Generates `scale` units of the synthetic graph into `db` (run it in a transaction), beside
/// whatever is there; rows already there are left alone.
pub async fn generate<C: ConnectionTrait>(
    db: &C,
    scale: u32,
) -> Result<LoadSummary, GenerateError> {
    generate_reporting(db, scale, Loading::Bulk, |_| {}).await
}

/// How a generation writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loading {
    /// As a bulk load (see [`crate::bulk`]): what the database derives, derived once at the end.
    Bulk,
    /// Row by row, the database deriving as each row arrives: what any other import does.
    RowByRow,
}

/// [`generate`], written as `loading` says, calling `done` with the number of units written
/// after each.
pub async fn generate_reporting<C: ConnectionTrait>(
    db: &C,
    scale: u32,
    loading: Loading,
    mut done: impl FnMut(u32) + Send,
) -> Result<LoadSummary, GenerateError> {
    if !(1..=MAX_SCALE).contains(&scale) {
        return Err(GenerateError::Scale(scale));
    }
    let countries: Vec<Uuid> = node::Entity::find()
        .filter(node::Column::Kind.eq(NodeKind::Country))
        .order_by_asc(node::Column::Slug)
        .all(db)
        .await?
        .into_iter()
        .map(|country| country.id)
        .collect();
    if countries.is_empty() {
        return Err(GenerateError::NoCountries);
    }
    let mut summary = LoadSummary::default();
    let load = match loading {
        Loading::Bulk => Some(crate::bulk::begin(db).await?),
        Loading::RowByRow => None,
    };
    for index in 0..scale {
        let mut unit = Unit {
            index,
            random: fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15 ^ u64::from(index)),
            countries: &countries,
            nodes: Vec::new(),
        };
        unit.nodes();
        let edges = unit.edges();
        let batch = unit.into_batch(edges);
        let written = import::apply(db, &batch, Options::default()).await?;
        summary.nodes += written.nodes.created.count as u64;
        summary.edges += written.edges.created.count as u64;
        summary.citations += written.citations.created.count as u64;
        done(index + 1);
    }
    if let Some(load) = load {
        load.finish(db).await?;
    }
    Ok(summary)
}

impl Unit<'_> {
    /// The unit's facts, each node and relationship cited by one of the unit's sources.
    fn into_batch(self, edges: Vec<(EdgeFact, Uuid)>) -> Batch {
        let mut batch = Batch::default();
        for generated in self.nodes {
            let fact = NodeFact {
                kind: generated.kind,
                slug: generated.slug,
                name: generated.name,
                summary: None,
                detail: generated.detail.unwrap_or(Detail::None),
                external_ids: Default::default(),
            };
            batch.citations.push(CitationFact {
                source: generated.cited_by,
                fact: Fact::Node(fact.id()),
                excerpt: None,
            });
            batch.nodes.push(fact);
        }
        for (edge, source) in edges {
            batch.citations.push(CitationFact {
                source,
                fact: Fact::Edge(edge.id()),
                excerpt: None,
            });
            batch.edges.push(edge);
        }
        batch
    }
}
