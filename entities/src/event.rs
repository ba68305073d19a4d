//! `event`: the detail of event nodes.

use sea_orm::entity::prelude::*;

use crate::{EventFormat, NodeKind, PartialDate};

/// The facts specific to event nodes, 1:1 with [`crate::node`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    /// The node this row details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: Uuid,
    /// The kind of the node detailed; the database holds it fixed for the table.
    pub kind: NodeKind,
    /// First day (or month, or year) of the event.
    pub starts_on: Option<PartialDate>,
    /// Last day (or month, or year) of the event.
    pub ends_on: Option<PartialDate>,
    /// Where it is held, in words.
    pub location: Option<String>,
    /// Its number in a series, e.g. 7 for the 7th edition.
    pub edition: Option<i32>,
    /// How it is held.
    pub format: Option<EventFormat>,
}

/// Relations of `event`.
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
