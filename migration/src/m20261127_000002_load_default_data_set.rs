//! Once loaded the default data set; it now loads after the schema it needs is complete, in
//! [`crate::m20261129_000004_load_default_data_set`].

use sea_orm_migration::prelude::*;

/// Loaded the default data set before the search migration; now does nothing, and stays so that
/// databases which applied it keep their history.
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
