//! Topics: subjects of work and discussion.

use super::filter::{NodeOrder, kind_query, node_filter};
use super::node::{Node, node_object};

node_object! {
    /// A subject of work or discussion, such as digital identity or cloud procurement.
    Topic;
    links {
        /// The working groups, partnerships, events, organisations and deliverables that focus on the topic.
        focus_of: Node = Incoming [FocusesOn];
        /// The working groups and events that discussed the topic.
        discussed_by: Node = Incoming [Discussed];
        /// Who supports the topic.
        supported_by: Node = Incoming [Supports];
        /// The broader topics this one is part of.
        broader: Topic = Outgoing [PartOf];
        /// The narrower topics that are part of this one.
        narrower: Topic = Incoming [PartOf];
    }
    fields {}
}

node_filter! {
    /// Which topics to list.
    TopicFilter
}

kind_query! {
    /// Root fields for topics.
    Topic {
        /// Topics, filtered and ordered.
        topics(TopicFilter, NodeOrder);
        /// The topic with this slug, e.g. `digital-identity`; `NOT_FOUND` when there is none.
        topic(slug);
    }
}
