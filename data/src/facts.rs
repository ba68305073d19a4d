//! Validated facts, as the database stores them: nodes with their details and external ids,
//! relationships, and the citations that tie each to a source. Ids are UUIDv5 of natural keys,
//! so the same fact has the same id on every database.

use std::collections::BTreeMap;

use govgraph_entities::{Detail, NodeKind, PartialDate, Predicate};
use sha1::{Digest, Sha1};
use uuid::Uuid;

/// Namespace of govgraph's deterministic identifiers.
pub(crate) const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a4e_9b7d_4c1a_8e3f_5d2b_7a90_c4e1);

/// A UUIDv5 in [`NAMESPACE`] of a natural key written in parts: the same id as
/// `Uuid::new_v5(&NAMESPACE, key)` of the parts joined, digested as they come with the SHA-1 of
/// the `sha1` crate (which uses the processor's SHA instructions where it has them), as a large
/// load computes millions.
struct Key(Sha1);

impl Key {
    fn new(prefix: &str) -> Self {
        let mut hasher = Sha1::new();
        hasher.update(NAMESPACE.as_bytes());
        hasher.update(prefix.as_bytes());
        Self(hasher)
    }

    /// Adds `/` and `part`.
    fn part(mut self, part: &str) -> Self {
        self.0.update(b"/");
        self.0.update(part.as_bytes());
        self
    }

    /// Adds `/` and an id, hyphenated in lower case as `Display` writes it.
    fn id(self, id: Uuid) -> Self {
        self.part(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()))
    }

    fn uuid(self) -> Uuid {
        let digest = self.0.finalize();
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_sha1_bytes(bytes).into_uuid()
    }
}

/// The id of the node of `kind` with `slug`: the UUIDv5 of `node/{kind}/{slug}`.
pub fn node_id(kind: NodeKind, slug: &str) -> Uuid {
    Key::new("node").part(kind.as_str()).part(slug).uuid()
}

/// The id of a relationship, from the parts of the database's `edge_fact_key`: the UUIDv5 of
/// `edge/{subject}/{predicate}/{object}/{role}/{valid_from}`, an absent part empty.
pub fn edge_id(
    subject: Uuid,
    predicate: Predicate,
    object: Uuid,
    role: Option<&str>,
    valid_from: Option<&PartialDate>,
) -> Uuid {
    Key::new("edge")
        .id(subject)
        .part(&predicate.as_str())
        .id(object)
        .part(role.unwrap_or(""))
        .part(valid_from.map_or("", PartialDate::as_str))
        .uuid()
}

/// The id of the citation of `fact` (a node or relationship) by the source `source`: the
/// UUIDv5 of `citation/{source}/{fact}`.
pub fn citation_id(source: Uuid, fact: Uuid) -> Uuid {
    Key::new("citation").id(source).id(fact).uuid()
}

/// A node and everything a data file states of it.
#[derive(Clone, Debug)]
pub struct NodeFact {
    /// Its kind.
    pub kind: NodeKind,
    /// Its slug, unique within the kind.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub summary: Option<String>,
    /// The row of its kind's detail table (`node_id` nil), or `Detail::None` for a topic.
    pub detail: Detail,
    /// Its identifiers elsewhere, by scheme.
    pub external_ids: BTreeMap<String, String>,
}

impl NodeFact {
    /// Its id.
    pub fn id(&self) -> Uuid {
        node_id(self.kind, &self.slug)
    }
}

/// A relationship.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeFact {
    /// The node it goes from.
    pub subject: Uuid,
    /// What joins the two.
    pub predicate: Predicate,
    /// The node it goes to.
    pub object: Uuid,
    /// The part the subject plays.
    pub role: Option<String>,
    /// When it began.
    pub valid_from: Option<PartialDate>,
    /// When it ended.
    pub valid_to: Option<PartialDate>,
}

impl EdgeFact {
    /// Its id.
    pub fn id(&self) -> Uuid {
        edge_id(
            self.subject,
            self.predicate,
            self.object,
            self.role.as_deref(),
            self.valid_from.as_ref(),
        )
    }
}

/// What a citation is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fact {
    /// A node.
    Node(Uuid),
    /// A relationship.
    Edge(Uuid),
}

impl Fact {
    /// The node's or relationship's id.
    pub fn id(self) -> Uuid {
        match self {
            Self::Node(id) | Self::Edge(id) => id,
        }
    }
}

/// A source stating a fact, with its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitationFact {
    /// The source node.
    pub source: Uuid,
    /// What it states.
    pub fact: Fact,
    /// Its words.
    pub excerpt: Option<String>,
}

impl CitationFact {
    /// Its id.
    pub fn id(&self) -> Uuid {
        citation_id(self.source, self.fact.id())
    }
}

/// Every fact of a set of data files, validated and ready to apply.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// Nodes, sources among them.
    pub nodes: Vec<NodeFact>,
    /// Relationships.
    pub edges: Vec<EdgeFact>,
    /// Citations of the nodes and relationships.
    pub citations: Vec<CitationFact>,
}

impl Batch {
    /// The ids of the sources the files define: what `--prune` is limited to.
    pub fn defined_sources(&self) -> Vec<Uuid> {
        self.nodes
            .iter()
            .filter(|node| node.kind == NodeKind::Source)
            .map(NodeFact::id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_is_the_uuid_v5_of_its_natural_key_written_out() {
        let subject = node_id(NodeKind::Country, "sg");
        let object = node_id(NodeKind::Partnership, "dgx");
        let from: PartialDate = "2021-03".parse().expect("a partial date");
        assert_eq!(
            subject,
            Uuid::new_v5(&NAMESPACE, b"node/COUNTRY/sg"),
            "the node id"
        );
        let key = format!("edge/{subject}/MEMBER_OF/{object}/co-chair/2021-03");
        assert_eq!(
            edge_id(
                subject,
                Predicate::MemberOf,
                object,
                Some("co-chair"),
                Some(&from)
            ),
            Uuid::new_v5(&NAMESPACE, key.as_bytes())
        );
        let key = format!("edge/{subject}/MEMBER_OF/{object}//");
        assert_eq!(
            edge_id(subject, Predicate::MemberOf, object, None, None),
            Uuid::new_v5(&NAMESPACE, key.as_bytes())
        );
        let key = format!("citation/{object}/{subject}");
        assert_eq!(
            citation_id(object, subject),
            Uuid::new_v5(&NAMESPACE, key.as_bytes())
        );
    }
}
