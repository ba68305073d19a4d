//! `country`: the detail of country nodes.

use sea_orm::entity::prelude::*;

use crate::NodeKind;

/// The facts specific to country nodes, 1:1 with [`crate::node`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "country")]
pub struct Model {
    /// The node this row details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: Uuid,
    /// The kind of the node detailed; the database holds it fixed for the table.
    pub kind: NodeKind,
    /// ISO 3166-1 alpha-2 code, e.g. `SG`.
    #[sea_orm(unique)]
    pub alpha2: String,
    /// ISO 3166-1 alpha-3 code, e.g. `SGP`.
    #[sea_orm(unique)]
    pub alpha3: String,
    /// ISO 3166-1 numeric code, three digits, e.g. `702`.
    #[sea_orm(unique)]
    pub numeric_code: String,
    /// The ISO short name, e.g. `Korea (Republic of)`; the node's `name` is the name people
    /// use, from CLDR (`South Korea`).
    pub iso_name: String,
    /// The short form of the name people use, from CLDR, where it has one, e.g. `UK`.
    pub short_name: Option<String>,
    /// The ISO long name, e.g. `The Republic of Singapore`.
    pub official_name: String,
    /// UN M49 region, e.g. `Asia`.
    pub region: Option<String>,
    /// UN M49 sub-region, e.g. `South-Eastern Asia`.
    pub subregion: Option<String>,
}

/// Relations of `country`.
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
