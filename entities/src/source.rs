//! `source`: the detail of source nodes.

use sea_orm::entity::prelude::*;

use crate::{NodeKind, PartialDate, SourceKind};

/// The facts specific to source nodes, 1:1 with [`crate::node`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source")]
pub struct Model {
    /// The node this row details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: Uuid,
    /// The kind of the node detailed; the database holds it fixed for the table.
    pub kind: NodeKind,
    /// What sort of document it is.
    pub source_kind: SourceKind,
    /// Where it can be read.
    pub url: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// When it was published.
    pub published: Option<PartialDate>,
    /// Its licence, as an SPDX identifier or a name.
    pub licence: Option<String>,
}

/// Relations of `source`.
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
