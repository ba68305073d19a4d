//! `deliverable`: the detail of deliverable nodes.

use sea_orm::entity::prelude::*;

use crate::{DeliverableKind, NodeKind, PartialDate};

/// The facts specific to deliverable nodes, 1:1 with [`crate::node`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliverable")]
pub struct Model {
    /// The node this row details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: Uuid,
    /// The kind of the node detailed; the database holds it fixed for the table.
    pub kind: NodeKind,
    /// What sort of thing it is.
    pub deliverable_kind: DeliverableKind,
    /// When it was published.
    pub published: Option<PartialDate>,
    /// Where it can be read or used.
    pub url: Option<String>,
}

/// Relations of `deliverable`.
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
