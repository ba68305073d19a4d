//! `node`: one row per thing in the graph.

use sea_orm::entity::prelude::*;

use crate::NodeKind;

/// A node of the graph. Its kind-specific facts live in the detail table of its kind.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "node")]
pub struct Model {
    /// Stable identifier.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What the node is.
    pub kind: NodeKind,
    /// Human-readable key, unique within the kind.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The name as [`fold`] folds it, for case-insensitive search that behaves alike on every
    /// database (SQLite's `lower()` folds ASCII only).
    pub name_folded: String,
    /// A sentence or two about the node.
    pub summary: Option<String>,
    /// When the row was written first.
    pub created_at: DateTimeUtc,
    /// When the row was written last.
    pub updated_at: DateTimeUtc,
    /// Incremented on every update, for optimistic concurrency.
    pub version: i32,
}

/// Relations of `node`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Folds text for case-insensitive matching: the rule for `name_folded` and for search terms.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}
