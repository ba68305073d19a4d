//! Working groups of partnerships, events and organisations.

use govgraph_entities::working_group;

use super::filter::{NodeOrder, kind_query, node_filter};
use super::node::{Node, node_object};
use super::{Deliverable, Topic};

node_object! {
    /// A working group: countries, organisations or people working together on a subject, as part of a partnership, an event or an organisation.
    WorkingGroup(working_group::Model);
    links {
        /// The partnerships, events and organisations this is a working group of.
        working_group_of: Node = Incoming [HasWorkingGroup];
        /// Who co-chairs the group; `validFrom` and `validTo` on each edge say when.
        co_chairs: Node = Incoming [CoChairs];
        /// The group's members.
        members: Node = Incoming [MemberOf];
        /// Others that take part without being members.
        participants: Node = Incoming [ParticipatesIn];
        /// Who organises the group.
        organisers: Node = Incoming [Organises];
        /// Who established the group.
        established_by: Node = Incoming [Established];
        /// What the group produced.
        deliverables: Deliverable = Outgoing [Produced];
        /// The topics the group focuses on.
        topics: Topic = Outgoing [FocusesOn];
        /// The issues the group discussed.
        discussed: Topic = Outgoing [Discussed];
    }
    fields {
        /// The group's short name, e.g. `AI WG`.
        async fn short_name(&self) -> Option<&str> {
            self.detail.short_name.as_deref()
        }
    }
}

node_filter! {
    /// Which working groups to list.
    WorkingGroupFilter
}

kind_query! {
    /// Root fields for working groups.
    WorkingGroup {
        /// Working groups, filtered and ordered.
        working_groups(WorkingGroupFilter, NodeOrder);
        /// The working group with this slug, e.g. `world-bank-cloud-computing`; `NOT_FOUND` when there is none.
        working_group(slug);
    }
}
