//! Once loaded the default data set; data now comes in through the importer (`govgraph-data`).

use sea_orm_migration::prelude::*;

/// Loaded the default data set; now does nothing, and stays so that databases which applied it
/// keep their history.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000002_load_default_data_set"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
