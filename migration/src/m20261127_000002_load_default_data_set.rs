//! Loads the default data set (see [`crate::seed`]).

use sea_orm_migration::prelude::*;

use crate::seed::DataSet;

/// Loads every ISO 3166-1 country and the facts of the source article.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000002_load_default_data_set"
    }
}

fn data_set() -> Result<DataSet, DbErr> {
    DataSet::default_data_set().map_err(|e| DbErr::Migration(e.to_string()))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        data_set()?.load(manager.get_connection()).await.map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        data_set()?.unload(manager.get_connection()).await
    }
}
