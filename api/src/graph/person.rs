//! People.

use govgraph_entities::person;

use super::filter::{NodeOrder, kind_query, node_filter};
use super::node::{Node, node_object};
use super::{Deliverable, Event, Source};

node_object! {
    /// A person: an official, a specialist, an author.
    Person(person::Model);
    links {
        /// Where the person works or holds a position; each edge's `role` is the position.
        affiliations: Node = Outgoing [AffiliatedWith];
        /// What the person wrote.
        writings: Node = Outgoing [Authored];
        /// The documents that credit the person, e.g. for a photograph.
        credited_in: Source = Outgoing [CreditedIn];
        /// The working groups and partnerships the person is a member of.
        memberships: Node = Outgoing [MemberOf];
        /// What the person co-chairs.
        co_chairing: Node = Outgoing [CoChairs];
        /// The events the person took part in.
        events: Event = Outgoing [ParticipatesIn];
        /// What the person produced.
        deliverables: Deliverable = Outgoing [Produced];
    }
    fields {
        /// An honorific, e.g. `Dr`.
        async fn honorific(&self) -> Option<&str> {
            self.detail.honorific.as_deref()
        }

        /// The person's current job title.
        async fn title(&self) -> Option<&str> {
            self.detail.title.as_deref()
        }
    }
}

node_filter! {
    /// Which people to list.
    PersonFilter
}

kind_query! {
    /// Root fields for people.
    Person {
        /// People, filtered and ordered.
        people(PersonFilter, NodeOrder);
        /// The person with this slug, e.g. `cheow-hoe-chan`; `NOT_FOUND` when there is none.
        person(slug);
    }
}
