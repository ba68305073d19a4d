//! Batched lookups: one key type per kind of lookup, each answered for many keys at once by one
//! statement (one per distinct shape of link page), so that a request costs a number of
//! statements bounded by the depth of its query, not by the number of rows it returns.
//!
//! The API's per-request loader drives these: it gathers the keys a request asks for in one
//! turn and hands them to [`Batch::load`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use govgraph_entities::{Detail, NodeKind, edge, external_id};
use sea_orm::DbErr;

use crate::ids::{EdgeId, NodeId};

use crate::page::Page;
use crate::store::{self, CitationRecord, LinkRow, LinkSpec, NodeRecord, Store};

/// A kind of lookup that can be answered for many keys at once.
pub trait Batch<K>: Send + Sync {
    /// What one key finds.
    type Value: Send + Sync + Clone + 'static;

    /// The lookup's name, for spans and metrics: `NodeById`.
    const NAME: &'static str;

    /// The values of `keys`; a key that finds nothing has no entry.
    fn load(
        &self,
        keys: &[K],
    ) -> impl Future<Output = Result<HashMap<K, Self::Value>, DbErr>> + Send;
}

/// A node by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeById(pub NodeId);

/// A node by kind and id, as a global ID names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeOfKind(pub NodeKind, pub NodeId);

/// A node by kind and slug.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeBySlug(pub NodeKind, pub String);

/// A country by ISO 3166-1 alpha-2 or alpha-3 code, upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountryByCode(pub String);

/// A relationship by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EdgeById(pub EdgeId);

/// One page of one node's links.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkPageOf {
    /// The node the links are asked of.
    pub anchor: NodeId,
    /// Which links.
    pub spec: Arc<LinkSpec>,
    /// Which page.
    pub page: Arc<Page>,
}

/// The number of one node's links.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkCountOf {
    /// The node the links are asked of.
    pub anchor: NodeId,
    /// Which links.
    pub spec: Arc<LinkSpec>,
}

/// The citations of a node or of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CitationsOf {
    /// Of the node with this id.
    Node(NodeId),
    /// Of the edge with this id.
    Edge(EdgeId),
}

/// The external identifiers of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternalIdsOf(pub NodeId);

/// Groups keys by a shared part, keeping each group's other parts in order.
fn group_by<K, G: Eq + std::hash::Hash, V>(
    keys: &[K],
    part: impl Fn(&K) -> (G, V),
) -> HashMap<G, Vec<V>> {
    let mut groups: HashMap<G, Vec<V>> = HashMap::new();
    for key in keys {
        let (group, value) = part(key);
        groups.entry(group).or_default().push(value);
    }
    groups
}

impl Batch<NodeById> for Store {
    type Value = Arc<NodeRecord>;
    const NAME: &'static str = "NodeById";

    async fn load(&self, keys: &[NodeById]) -> Result<HashMap<NodeById, Self::Value>, DbErr> {
        let ids: Vec<NodeId> = keys.iter().map(|k| k.0).collect();
        let records = store::nodes_by_id(self, None, &ids).await?;
        Ok(records
            .into_iter()
            .map(|r| (NodeById(r.id()), Arc::new(r)))
            .collect())
    }
}

impl Batch<NodeOfKind> for Store {
    type Value = Arc<NodeRecord>;
    const NAME: &'static str = "NodeOfKind";

    async fn load(&self, keys: &[NodeOfKind]) -> Result<HashMap<NodeOfKind, Self::Value>, DbErr> {
        let mut found = HashMap::new();
        for (kind, ids) in group_by(keys, |k| (k.0, k.1)) {
            for record in store::nodes_by_id(self, Some(kind), &ids).await? {
                found.insert(NodeOfKind(kind, record.id()), Arc::new(record));
            }
        }
        Ok(found)
    }
}

impl Batch<NodeBySlug> for Store {
    type Value = Arc<NodeRecord>;
    const NAME: &'static str = "NodeBySlug";

    async fn load(&self, keys: &[NodeBySlug]) -> Result<HashMap<NodeBySlug, Self::Value>, DbErr> {
        let mut found = HashMap::new();
        for (kind, slugs) in group_by(keys, |k| (k.0, k.1.clone())) {
            for record in store::nodes_by_slug(self, kind, &slugs).await? {
                found.insert(NodeBySlug(kind, record.node.slug.clone()), Arc::new(record));
            }
        }
        Ok(found)
    }
}

impl Batch<CountryByCode> for Store {
    type Value = Arc<NodeRecord>;
    const NAME: &'static str = "CountryByCode";

    async fn load(
        &self,
        keys: &[CountryByCode],
    ) -> Result<HashMap<CountryByCode, Self::Value>, DbErr> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let mut found = HashMap::new();
        for record in store::countries_by_code(self, &codes).await? {
            if let Detail::Country(country) = &record.detail {
                let (alpha2, alpha3) = (country.alpha2.clone(), country.alpha3.clone());
                let record = Arc::new(record);
                found.insert(CountryByCode(alpha2), record.clone());
                found.insert(CountryByCode(alpha3), record);
            }
        }
        Ok(found)
    }
}

impl Batch<EdgeById> for Store {
    type Value = Arc<edge::Model>;
    const NAME: &'static str = "EdgeById";

    async fn load(&self, keys: &[EdgeById]) -> Result<HashMap<EdgeById, Self::Value>, DbErr> {
        let ids: Vec<EdgeId> = keys.iter().map(|k| k.0).collect();
        let edges = store::edges_by_id(self, &ids).await?;
        Ok(edges
            .into_iter()
            .map(|e| (EdgeById(EdgeId(e.id)), Arc::new(e)))
            .collect())
    }
}

impl Batch<LinkPageOf> for Store {
    type Value = Arc<Vec<LinkRow>>;
    const NAME: &'static str = "LinkPageOf";

    async fn load(&self, keys: &[LinkPageOf]) -> Result<HashMap<LinkPageOf, Self::Value>, DbErr> {
        let mut pages = HashMap::new();
        let groups = group_by(keys, |k| ((k.spec.clone(), k.page.clone()), k.anchor));
        for ((spec, page), anchors) in groups {
            for (anchor, rows) in store::link_pages(self, &anchors, &spec, &page).await? {
                let key = LinkPageOf {
                    anchor,
                    spec: spec.clone(),
                    page: page.clone(),
                };
                pages.insert(key, Arc::new(rows));
            }
        }
        Ok(pages)
    }
}

impl Batch<LinkCountOf> for Store {
    type Value = u64;
    const NAME: &'static str = "LinkCountOf";

    async fn load(&self, keys: &[LinkCountOf]) -> Result<HashMap<LinkCountOf, u64>, DbErr> {
        let mut counts = HashMap::new();
        for (spec, anchors) in group_by(keys, |k| (k.spec.clone(), k.anchor)) {
            for (anchor, total) in store::count_links(self, &anchors, &spec).await? {
                counts.insert(
                    LinkCountOf {
                        anchor,
                        spec: spec.clone(),
                    },
                    total,
                );
            }
        }
        Ok(counts)
    }
}

impl Batch<CitationsOf> for Store {
    type Value = Arc<Vec<CitationRecord>>;
    const NAME: &'static str = "CitationsOf";

    async fn load(&self, keys: &[CitationsOf]) -> Result<HashMap<CitationsOf, Self::Value>, DbErr> {
        let mut found = HashMap::new();
        let nodes: Vec<NodeId> = keys
            .iter()
            .filter_map(|k| match k {
                CitationsOf::Node(id) => Some(*id),
                CitationsOf::Edge(_) => None,
            })
            .collect();
        let edges: Vec<EdgeId> = keys
            .iter()
            .filter_map(|k| match k {
                CitationsOf::Edge(id) => Some(*id),
                CitationsOf::Node(_) => None,
            })
            .collect();
        if !nodes.is_empty() {
            for (node, citations) in store::citations_of_nodes(self, &nodes).await? {
                found.insert(CitationsOf::Node(node), Arc::new(citations));
            }
        }
        if !edges.is_empty() {
            for (edge, citations) in store::citations_of_edges(self, &edges).await? {
                found.insert(CitationsOf::Edge(edge), Arc::new(citations));
            }
        }
        Ok(found)
    }
}

impl Batch<ExternalIdsOf> for Store {
    type Value = Arc<Vec<external_id::Model>>;
    const NAME: &'static str = "ExternalIdsOf";

    async fn load(
        &self,
        keys: &[ExternalIdsOf],
    ) -> Result<HashMap<ExternalIdsOf, Self::Value>, DbErr> {
        let nodes: Vec<NodeId> = keys.iter().map(|k| k.0).collect();
        let found = store::external_ids_of(self, &nodes).await?;
        Ok(found
            .into_iter()
            .map(|(node, ids)| (ExternalIdsOf(node), Arc::new(ids)))
            .collect())
    }
}
