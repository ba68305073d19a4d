//! Sources: the documents that state the facts of the graph.

use async_graphql::InputObject;
use govgraph_entities::source;

use super::filter::{ListFilter, NodeFilter, NodeOrder, kind_query, vocabulary};
use super::node::{Node, node_object};
use super::vocabulary::{PartialDate, SourceKind};
use crate::error::ApiError;
use govgraph_read::listing::Criterion;

node_object! {
    /// A document that states facts in the graph: an article, a report, a data set. Every node and relationship cites at least one.
    Source(source::Model);
    links {
        /// Who wrote it.
        authors: Node = Incoming [Authored];
        /// Who it credits, e.g. for a photograph; each edge's `role` says for what.
        credits: Node = Incoming [CreditedIn];
    }
    fields {
        /// What sort of document it is.
        async fn source_kind(&self) -> SourceKind {
            self.detail.source_kind.into()
        }

        /// Where it can be read.
        async fn url(&self) -> Option<&str> {
            self.detail.url.as_deref()
        }

        /// Who published it.
        async fn publisher(&self) -> Option<&str> {
            self.detail.publisher.as_deref()
        }

        /// When it was published, as precisely as known.
        async fn published(&self) -> Option<PartialDate> {
            self.detail.published.clone().map(PartialDate)
        }

        /// Its licence, as an SPDX identifier or a name.
        async fn licence(&self) -> Option<&str> {
            self.detail.licence.as_deref()
        }
    }
}

/// Which sources to list. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
pub struct SourceFilter {
    #[graphql(flatten)]
    common: NodeFilter,
    /// Only sources of one of these kinds.
    kinds: Option<Vec<SourceKind>>,
}

impl ListFilter for SourceFilter {
    fn common(&self) -> &NodeFilter {
        &self.common
    }

    fn criteria(&self, linked: &[govgraph_read::ids::NodeId]) -> Result<Vec<Criterion>, ApiError> {
        let mut criteria = self.common.criteria(linked)?;
        if let Some(kinds) = &self.kinds {
            criteria.push(Criterion::SourceKindIn(vocabulary("kinds", kinds)?));
        }
        Ok(criteria)
    }
}

kind_query! {
    /// Root fields for sources.
    Source {
        /// Sources, filtered and ordered.
        sources(SourceFilter, NodeOrder);
        /// The source with this slug, e.g. `dgx-brings-govtech-community-together`; `NOT_FOUND` when there is none.
        source(slug);
    }
}
