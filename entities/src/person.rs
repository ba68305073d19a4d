//! `person`: the detail of person nodes.

use sea_orm::entity::prelude::*;

use crate::NodeKind;

/// The facts specific to person nodes, 1:1 with [`crate::node`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    /// The node this row details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: Uuid,
    /// The kind of the node detailed; the database holds it fixed for the table.
    pub kind: NodeKind,
    /// Honorific, e.g. `Dr`.
    pub honorific: Option<String>,
    /// Current job title.
    pub title: Option<String>,
}

/// Relations of `person`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The node this row details.
    #[sea_orm(
        belongs_to = "crate::node::Entity",
        from = "Column::NodeId",
        to = "crate::node::Column::Id",
        on_delete = "Cascade"
    )]
    Node,
}

impl ActiveModelBehavior for ActiveModel {}
