//! `citation`: which source states a node or an edge.

use sea_orm::entity::prelude::*;

/// A source stating one node or one edge (exactly one of the two is set).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "citation")]
pub struct Model {
    /// Stable identifier.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The source node (its `source` detail row) that states the fact.
    pub source_id: Uuid,
    /// The node stated, when the citation is of a node.
    pub node_id: Option<Uuid>,
    /// The edge stated, when the citation is of an edge.
    pub edge_id: Option<Uuid>,
    /// The words of the source that state the fact.
    pub excerpt: Option<String>,
    /// When the row was written.
    pub created_at: DateTimeUtc,
}

/// Relations of `citation`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The citing source.
    #[sea_orm(
        belongs_to = "crate::source::Entity",
        from = "Column::SourceId",
        to = "crate::source::Column::NodeId",
        on_delete = "Cascade"
    )]
    Source,
}

impl ActiveModelBehavior for ActiveModel {}
