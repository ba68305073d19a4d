//! Partnerships: lasting communities such as DGX and GTGP.

use govgraph_entities::partnership;

use super::filter::{NodeOrder, kind_query, node_filter};
use super::node::{Node, node_object};
use super::vocabulary::PartialDate;
use super::{Deliverable, Event, Topic, WorkingGroup};

node_object! {
    /// A lasting partnership or community of governments and organisations, such as the Digital Government Exchange (DGX) or the GovTech Global Partnership (GTGP).
    Partnership(partnership::Model);
    links {
        /// Who organises the partnership.
        organisers: Node = Incoming [Organises];
        /// Who established the partnership.
        established_by: Node = Incoming [Established];
        /// Countries, organisations and people that are members.
        members: Node = Incoming [MemberOf];
        /// Countries, organisations and people that take part.
        participants: Node = Incoming [ParticipatesIn];
        /// Countries, organisations and people that co-chair it.
        co_chairs: Node = Incoming [CoChairs];
        /// The partnership's working groups.
        working_groups: WorkingGroup = Outgoing [HasWorkingGroup];
        /// Its events, such as the editions of an annual exchange.
        events: Event = Incoming [PartOf];
        /// What the partnership supports.
        supports: Node = Outgoing [Supports];
        /// The topics its work focuses on.
        topics: Topic = Outgoing [FocusesOn];
        /// What it produced.
        deliverables: Deliverable = Outgoing [Produced];
    }
    fields {
        /// Its short name or acronym, e.g. `DGX`.
        async fn short_name(&self) -> Option<&str> {
            self.detail.acronym.as_deref()
        }

        /// Its short name or acronym, e.g. `DGX`.
        #[graphql(deprecation = "Use `shortName`, as every kind does.")]
        async fn acronym(&self) -> Option<&str> {
            self.detail.acronym.as_deref()
        }

        /// When it was established, as precisely as known.
        async fn established(&self) -> Option<PartialDate> {
            self.detail.established.clone().map(PartialDate)
        }
    }
}

node_filter! {
    /// Which partnerships to list.
    PartnershipFilter
}

kind_query! {
    /// Root fields for partnerships.
    Partnership {
        /// Partnerships, filtered and ordered.
        partnerships(PartnershipFilter, NodeOrder);
        /// The partnership with this slug, e.g. `dgx`; `NOT_FOUND` when there is none.
        partnership(slug);
    }
}
