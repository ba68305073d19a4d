//! Loads the default data set (see [`crate::seed`]) into the complete schema: the default data
//! set's rows need every column the migrations before this one add. On a database that holds
//! it already (loaded by the second migration, before this one existed), it inserts nothing.

use sea_orm_migration::prelude::*;

use crate::seed::DataSet;

/// Loads every ISO 3166-1 country and the facts of the source article.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000004_load_default_data_set"
    }
}

fn data_set() -> Result<DataSet, DbErr> {
    DataSet::default_data_set().map_err(|e| DbErr::Migration(e.to_string()))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        data_set()?.load(manager.get_connection()).await.map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        data_set()?.unload(manager.get_connection()).await
    }
}
