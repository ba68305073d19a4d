//! `organisation`: the detail of organisation nodes.

use sea_orm::entity::prelude::*;

use crate::{NodeKind, OrganisationKind};

/// The facts specific to organisation nodes, 1:1 with [`crate::node`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    /// The node this row details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: Uuid,
    /// The kind of the node detailed; the database holds it fixed for the table.
    pub kind: NodeKind,
    /// What sort of organisation it is, when a source says.
    pub org_kind: Option<OrganisationKind>,
    /// Short name or acronym.
    pub acronym: Option<String>,
}

/// Relations of `organisation`.
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
