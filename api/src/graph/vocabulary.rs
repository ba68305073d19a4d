//! GraphQL enums and scalars mirroring the vocabularies of the data model.

use async_graphql::{Enum, InputValueResult, Scalar, ScalarType, Value};

use crate::error::bad_input_value;
use govgraph_entities as entities;

/// Which way a relationship runs, seen from the node it is asked of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[graphql(remote = "govgraph_read::store::Direction")]
pub enum Direction {
    /// The node is the subject: `node --predicate--> other`.
    Outgoing,
    /// The node is the object: `other --predicate--> node`.
    Incoming,
    /// Either way.
    Both,
}

/// Declares the GraphQL `NodeKind` enum: one value per kind of the table of kinds.
macro_rules! node_kind_enum {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        /// The kinds of node in the graph.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
        #[graphql(remote = "entities::NodeKind", tag = "public")]
        pub enum NodeKind {
            $($(#[$doc])* $kind,)*
        }
    };
}

entities::for_each_kind!(node_kind_enum);

/// What the subject of a relationship is to its object. Each predicate joins only certain kinds of node, in one direction: `subject --predicate--> object`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[graphql(remote = "entities::Predicate", tag = "public")]
pub enum Predicate {
    /// A country, organisation or person is a member of a working group or partnership.
    MemberOf,
    /// A country, organisation or person co-chairs a working group, partnership or event.
    CoChairs,
    /// An organisation or country organises a partnership, event or working group.
    Organises,
    /// A country or organisation hosts an event; a country hosting an event is where it is held.
    Hosts,
    /// A country, organisation or person takes part in an event, partnership or working group.
    ParticipatesIn,
    /// A partnership, event or organisation has the object as one of its working groups.
    HasWorkingGroup,
    /// A working group, organisation, person or partnership produced a deliverable.
    Produced,
    /// The subject's work focuses on a topic.
    FocusesOn,
    /// A working group or event discussed a topic.
    Discussed,
    /// A person or organisation wrote a source or deliverable.
    Authored,
    /// A person or organisation is credited in a source, e.g. for a photograph.
    CreditedIn,
    /// A person holds a position (the role) in an organisation or country.
    AffiliatedWith,
    /// The subject is part of the object: a unit of an organisation, an edition of a partnership's event series, a narrower topic.
    PartOf,
    /// An organisation or country established a partnership, working group or organisation.
    Established,
    /// A partnership, organisation or country supports a topic, partnership, working group or event.
    Supports,
}

/// What sort of organisation an organisation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[graphql(remote = "entities::OrganisationKind", tag = "public")]
pub enum OrganisationKind {
    /// A ministry, department or agency of a national government.
    GovernmentAgency,
    /// An organisation whose members are states, such as the United Nations.
    InternationalOrganisation,
    /// A department, practice or team inside another organisation.
    OrganisationalUnit,
    /// A company.
    Company,
    /// A university or research institute.
    Academic,
    /// A non-governmental or civil-society organisation.
    NonGovernmental,
}

/// How an event is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[graphql(remote = "entities::EventFormat", tag = "public")]
pub enum EventFormat {
    /// Attendees meet in person.
    InPerson,
    /// Attendees meet online.
    Virtual,
    /// Both in person and online.
    Hybrid,
}

/// What sort of thing a deliverable is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[graphql(remote = "entities::DeliverableKind", tag = "public")]
pub enum DeliverableKind {
    /// A published report.
    Report,
    /// Guidance or a set of good practices.
    Guidance,
    /// A summary of insights from discussions.
    Insights,
    /// A website, portal or hub.
    Portal,
    /// Software or a data set.
    Tool,
}

/// What sort of document a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[graphql(remote = "entities::SourceKind", tag = "public")]
pub enum SourceKind {
    /// An article or blog post.
    Article,
    /// A report or paper.
    Report,
    /// A web page.
    WebPage,
    /// A data set.
    Dataset,
}

/// A date known as precisely as its source states it: a year (`2021`), a month (`2021-06`) or a day (`2021-06-30`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialDate(pub entities::PartialDate);

/// A date known as precisely as its source states it: a year (`2021`), a month (`2021-06`) or a day (`2021-06-30`).
#[Scalar(name = "PartialDate")]
impl ScalarType for PartialDate {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => text
                .parse::<entities::PartialDate>()
                .map(PartialDate)
                .map_err(bad_input_value),
            _ => Err(bad_input_value(format!(
                "expected a date such as `2021`, `2021-06` or `2021-06-30`, found {value}"
            ))),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<entities::PartialDate> for PartialDate {
    fn from(date: entities::PartialDate) -> Self {
        Self(date)
    }
}
