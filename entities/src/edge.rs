//! `edge`: a typed relationship between two nodes.

use sea_orm::entity::prelude::*;

use crate::{PartialDate, Predicate};

/// `subject --predicate--> object`, with the role the subject plays and when it held.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "edge")]
pub struct Model {
    /// Stable identifier.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The node the relationship goes from.
    pub subject_id: Uuid,
    /// What the subject is to the object.
    pub predicate: Predicate,
    /// The node the relationship goes to.
    pub object_id: Uuid,
    /// The role the subject plays, e.g. `co-chair` or a job title.
    pub role: Option<String>,
    /// Start of the period the sources state the relationship held in (inclusive).
    pub valid_from: Option<PartialDate>,
    /// End of that period (inclusive).
    pub valid_to: Option<PartialDate>,
    /// When the row was written first.
    pub created_at: DateTimeUtc,
    /// When the row was written last.
    pub updated_at: DateTimeUtc,
    /// Incremented on every update, for optimistic concurrency.
    pub version: i32,
}

/// Relations of `edge`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The subject node.
    #[sea_orm(
        belongs_to = "crate::node::Entity",
        from = "Column::SubjectId",
        to = "crate::node::Column::Id",
        on_delete = "Cascade"
    )]
    Subject,
    /// The object node.
    #[sea_orm(
        belongs_to = "crate::node::Entity",
        from = "Column::ObjectId",
        to = "crate::node::Column::Id",
        on_delete = "Cascade"
    )]
    Object,
}

impl ActiveModelBehavior for ActiveModel {}
