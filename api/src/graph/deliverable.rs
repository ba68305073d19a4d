//! Deliverables: what working groups and organisations produce.

use async_graphql::InputObject;
use govgraph_entities::deliverable;

use super::Topic;
use super::filter::{ListFilter, NodeFilter, NodeOrder, kind_query, vocabulary};
use super::node::{Node, node_object};
use super::vocabulary::{DeliverableKind, PartialDate};
use crate::error::ApiError;
use govgraph_read::listing::Criterion;

node_object! {
    /// Something produced: a report, guidance, a summary of insights, a portal.
    Deliverable(deliverable::Model);
    links {
        /// Who produced it.
        produced_by: Node = Incoming [Produced];
        /// Who wrote it.
        authors: Node = Incoming [Authored];
        /// The topics it is about.
        topics: Topic = Outgoing [FocusesOn];
    }
    fields {
        /// What sort of thing it is.
        async fn deliverable_kind(&self) -> DeliverableKind {
            self.detail.deliverable_kind.into()
        }

        /// When it was published, as precisely as known.
        async fn published(&self) -> Option<PartialDate> {
            self.detail.published.clone().map(PartialDate)
        }

        /// Where it can be read or used.
        async fn url(&self) -> Option<&str> {
            self.detail.url.as_deref()
        }
    }
}

/// Which deliverables to list. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
pub struct DeliverableFilter {
    #[graphql(flatten)]
    common: NodeFilter,
    /// Only deliverables of one of these kinds.
    kinds: Option<Vec<DeliverableKind>>,
}

impl ListFilter for DeliverableFilter {
    fn common(&self) -> &NodeFilter {
        &self.common
    }

    fn criteria(&self, linked: &[govgraph_read::ids::NodeId]) -> Result<Vec<Criterion>, ApiError> {
        let mut criteria = self.common.criteria(linked)?;
        if let Some(kinds) = &self.kinds {
            criteria.push(Criterion::DeliverableKindIn(vocabulary("kinds", kinds)?));
        }
        Ok(criteria)
    }
}

kind_query! {
    /// Root fields for deliverables.
    Deliverable {
        /// Deliverables, filtered and ordered.
        deliverables(DeliverableFilter, NodeOrder);
        /// The deliverable with this slug; `NOT_FOUND` when there is none.
        deliverable(slug);
    }
}
