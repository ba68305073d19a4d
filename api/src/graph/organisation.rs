//! Organisations: government bodies, international organisations and their units.

use async_graphql::InputObject;
use govgraph_entities::organisation;

use super::filter::{ListFilter, NodeFilter, NodeOrder, kind_query, vocabulary};
use super::node::{Node, node_object};
use super::vocabulary::OrganisationKind;
use super::{Deliverable, Event, Person, Source, Topic, WorkingGroup};
use crate::error::ApiError;
use govgraph_read::listing::Criterion;

node_object! {
    /// An organisation: a government agency, an international organisation, or a unit of one.
    Organisation(organisation::Model);
    links {
        /// The organisations this one is part of.
        part_of: Organisation = Outgoing [PartOf];
        /// The units that are part of this organisation.
        units: Organisation = Incoming [PartOf];
        /// People who hold a position in the organisation; each edge's `role` is the position.
        people: Person = Incoming [AffiliatedWith];
        /// The working groups and partnerships the organisation is a member of.
        memberships: Node = Outgoing [MemberOf];
        /// What the organisation co-chairs.
        co_chairing: Node = Outgoing [CoChairs];
        /// The events the organisation took part in.
        events: Event = Outgoing [ParticipatesIn];
        /// The events the organisation hosts.
        hosted_events: Event = Outgoing [Hosts];
        /// What the organisation organises.
        organises: Node = Outgoing [Organises];
        /// What the organisation established.
        established: Node = Outgoing [Established];
        /// What the organisation supports.
        supports: Node = Outgoing [Supports];
        /// The organisation's own working groups.
        working_groups: WorkingGroup = Outgoing [HasWorkingGroup];
        /// What the organisation produced.
        deliverables: Deliverable = Outgoing [Produced];
        /// The topics its work focuses on.
        topics: Topic = Outgoing [FocusesOn];
        /// What the organisation wrote.
        writings: Node = Outgoing [Authored];
        /// The documents that credit the organisation, e.g. for a photograph.
        credited_in: Source = Outgoing [CreditedIn];
    }
    fields {
        /// What sort of organisation it is, when a source says.
        async fn organisation_kind(&self) -> Option<OrganisationKind> {
            self.detail.org_kind.map(Into::into)
        }

        /// Its short name or acronym, e.g. `UN`.
        async fn short_name(&self) -> Option<&str> {
            self.detail.acronym.as_deref()
        }

        /// Its short name or acronym, e.g. `UN`.
        #[graphql(deprecation = "Use `shortName`, as every kind does.")]
        async fn acronym(&self) -> Option<&str> {
            self.detail.acronym.as_deref()
        }
    }
}

/// Which organisations to list. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
pub struct OrganisationFilter {
    #[graphql(flatten)]
    common: NodeFilter,
    /// Only organisations of one of these kinds.
    kinds: Option<Vec<OrganisationKind>>,
}

impl ListFilter for OrganisationFilter {
    fn common(&self) -> &NodeFilter {
        &self.common
    }

    fn criteria(&self, linked: &[govgraph_read::ids::NodeId]) -> Result<Vec<Criterion>, ApiError> {
        let mut criteria = self.common.criteria(linked)?;
        if let Some(kinds) = &self.kinds {
            criteria.push(Criterion::OrganisationKindIn(vocabulary("kinds", kinds)?));
        }
        Ok(criteria)
    }
}

kind_query! {
    /// Root fields for organisations.
    Organisation {
        /// Organisations, filtered and ordered.
        organisations(OrganisationFilter, NodeOrder);
        /// The organisation with this slug, e.g. `world-bank`; `NOT_FOUND` when there is none.
        organisation(slug);
    }
}
