//! Controlled vocabularies stored as text with check constraints.

use sea_orm::entity::prelude::*;

/// The kind of a node; every node has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum NodeKind {
    /// A lasting partnership or community such as DGX or GTGP.
    #[sea_orm(string_value = "PARTNERSHIP")]
    Partnership,
    /// A working group of a partnership, event or organisation.
    #[sea_orm(string_value = "WORKING_GROUP")]
    WorkingGroup,
    /// A dated gathering, such as one edition of DGX.
    #[sea_orm(string_value = "EVENT")]
    Event,
    /// A person.
    #[sea_orm(string_value = "PERSON")]
    Person,
    /// An ISO 3166-1 country or territory.
    #[sea_orm(string_value = "COUNTRY")]
    Country,
    /// A government body, international organisation or unit of one.
    #[sea_orm(string_value = "ORGANISATION")]
    Organisation,
    /// Something produced: a report, a guide, a portal.
    #[sea_orm(string_value = "DELIVERABLE")]
    Deliverable,
    /// A subject of work or discussion.
    #[sea_orm(string_value = "TOPIC")]
    Topic,
    /// A document that states facts in the graph.
    #[sea_orm(string_value = "SOURCE")]
    Source,
}

impl NodeKind {
    /// The stored name, e.g. `WORKING_GROUP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partnership => "PARTNERSHIP",
            Self::WorkingGroup => "WORKING_GROUP",
            Self::Event => "EVENT",
            Self::Person => "PERSON",
            Self::Country => "COUNTRY",
            Self::Organisation => "ORGANISATION",
            Self::Deliverable => "DELIVERABLE",
            Self::Topic => "TOPIC",
            Self::Source => "SOURCE",
        }
    }
}

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
