//! `external_id`: identifiers of nodes in other systems.

use sea_orm::entity::prelude::*;

/// The node's identifier `value` in the identifier `scheme` (e.g. `wikidata`, `Q334`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "external_id")]
pub struct Model {
    /// The identifier scheme, lower case, e.g. `wikidata`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scheme: String,
    /// The identifier within the scheme.
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    /// The node identified.
    pub node_id: Uuid,
}

/// Relations of `external_id`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The node identified.
    #[sea_orm(
        belongs_to = "crate::node::Entity",
        from = "Column::NodeId",
        to = "crate::node::Column::Id",
        on_delete = "Cascade"
    )]
    Node,
}

impl ActiveModelBehavior for ActiveModel {}
