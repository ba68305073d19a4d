//! Controlled vocabularies stored as text with check constraints.

use sea_orm::entity::prelude::*;

/// The table of node kinds: the one place a kind is declared. Every per-kind item of every
/// layer (this crate's [`NodeKind`] and [`Detail`], the read layer's detail joins, the GraphQL
/// objects, enum, global IDs, list roots and federation entities) is derived from it by handing
/// a macro of one's own to this one, which calls it with every row:
///
/// ```text
/// /// Doc.
/// Variant = "STORED_NAME", module;          // a kind without a detail table
/// /// Doc.
/// Variant = "STORED_NAME", module(detail);  // with one: `detail` is its entity module
/// ```
///
/// `module` names the kind's modules (`crate::module` here when it has a detail table, and
/// `graph::module` in the API); the GraphQL type is named `Variant`, and its enum value and the
/// stored kind are `STORED_NAME`.
#[macro_export]
macro_rules! for_each_kind {
    ($callback:ident) => {
        $callback! {
            /// A lasting partnership or community, such as DGX or GTGP.
            Partnership = "PARTNERSHIP", partnership(partnership);
            /// A working group of a partnership, event or organisation.
            WorkingGroup = "WORKING_GROUP", working_group(working_group);
            /// A dated gathering, such as one edition of DGX.
            Event = "EVENT", event(event);
            /// A person.
            Person = "PERSON", person(person);
            /// An ISO 3166-1 country or territory.
            Country = "COUNTRY", country(country);
            /// A government body, international organisation, or unit of one.
            Organisation = "ORGANISATION", organisation(organisation);
            /// Something produced: a report, guidance, a portal.
            Deliverable = "DELIVERABLE", deliverable(deliverable);
            /// A subject of work or discussion.
            Topic = "TOPIC", topic;
            /// A document that states facts in the graph.
            Source = "SOURCE", source(source);
        }
    };
}

/// A detail table's entity: the kind-specific row of a node.
pub trait DetailEntity: EntityTrait {
    /// The model as a [`Detail`].
    fn wrap(model: Self::Model) -> Detail;
}

/// Something done with the detail table of a kind, whichever it is: see
/// [`NodeKind::visit_detail`].
pub trait DetailVisitor {
    /// What the visit gives.
    type Output;

    /// The kind has the detail table `E`.
    fn visit<E: DetailEntity>(self) -> Self::Output;

    /// The kind has no detail table.
    fn no_detail(self) -> Self::Output;
}

macro_rules! declare_kinds {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        /// The kind of a node; every node has exactly one.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
        pub enum NodeKind {
            $(
                $(#[$doc])*
                #[sea_orm(string_value = $stored)]
                $kind,
            )*
        }

        impl NodeKind {
            /// The stored name, e.g. `WORKING_GROUP`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$kind => $stored,)*
                }
            }

            /// The kind with this stored name, e.g. `WORKING_GROUP`.
            pub fn from_stored(stored: &str) -> Option<Self> {
                match stored {
                    $($stored => Some(Self::$kind),)*
                    _ => None,
                }
            }

            /// Calls `visitor` with the kind's detail table.
            pub fn visit_detail<V: DetailVisitor>(self, visitor: V) -> V::Output {
                match self {
                    $(Self::$kind => declare_kinds!(@visit visitor $($detail)?),)*
                }
            }
        }

        /// The kind-specific row of a node.
        #[derive(Clone, Debug)]
        pub enum Detail {
            /// The node's kind has no detail table.
            None,
            $($(
                #[doc = concat!("The row of `", stringify!($detail), "`.")]
                $kind(crate::$detail::Model),
            )?)*
        }

        $($(
            impl DetailEntity for crate::$detail::Entity {
                fn wrap(model: Self::Model) -> Detail {
                    Detail::$kind(model)
                }
            }
        )?)*
    };
    (@visit $visitor:ident $detail:ident) => {
        $visitor.visit::<crate::$detail::Entity>()
    };
    (@visit $visitor:ident) => {
        $visitor.no_detail()
    };
}

for_each_kind!(declare_kinds);

/// What sort of organisation an organisation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrganisationKind {
    /// A ministry, department or agency of a national government.
    #[sea_orm(string_value = "GOVERNMENT_AGENCY")]
    GovernmentAgency,
    /// An organisation whose members are states, such as the United Nations.
    #[sea_orm(string_value = "INTERNATIONAL_ORGANISATION")]
    InternationalOrganisation,
    /// A department, practice or team inside another organisation.
    #[sea_orm(string_value = "ORGANISATIONAL_UNIT")]
    OrganisationalUnit,
    /// A company.
    #[sea_orm(string_value = "COMPANY")]
    Company,
    /// A university or research institute.
    #[sea_orm(string_value = "ACADEMIC")]
    Academic,
    /// A non-governmental or civil-society organisation.
    #[sea_orm(string_value = "NON_GOVERNMENTAL")]
    NonGovernmental,
}

/// How an event is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventFormat {
    /// Attendees meet in person.
    #[sea_orm(string_value = "IN_PERSON")]
    InPerson,
    /// Attendees meet online.
    #[sea_orm(string_value = "VIRTUAL")]
    Virtual,
    /// Both in person and online.
    #[sea_orm(string_value = "HYBRID")]
    Hybrid,
}

/// What sort of thing a deliverable is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliverableKind {
    /// A published report.
    #[sea_orm(string_value = "REPORT")]
    Report,
    /// Guidance or a set of good practices.
    #[sea_orm(string_value = "GUIDANCE")]
    Guidance,
    /// A summary of insights from discussions.
    #[sea_orm(string_value = "INSIGHTS")]
    Insights,
    /// A website, portal or hub.
    #[sea_orm(string_value = "PORTAL")]
    Portal,
    /// Software or a data set.
    #[sea_orm(string_value = "TOOL")]
    Tool,
}

/// What sort of document a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SourceKind {
    /// An article or blog post.
    #[sea_orm(string_value = "ARTICLE")]
    Article,
    /// A report or paper.
    #[sea_orm(string_value = "REPORT")]
    Report,
    /// A web page.
    #[sea_orm(string_value = "WEB_PAGE")]
    WebPage,
    /// A data set.
    #[sea_orm(string_value = "DATASET")]
    Dataset,
}
