//! Records which version of each data set a database holds: the default data set is imported,
//! not migrated, and a newer version of it (one whose files differ) is imported on the next
//! start.

use sea_orm_migration::prelude::*;

/// Creates `data_set`: one row per data set imported by name, with the digest of its files.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000009_record_data_sets"
    }
}

#[derive(DeriveIden)]
enum DataSet {
    Table,
    Name,
    Digest,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataSet::Table)
                    .col(
                        ColumnDef::new(DataSet::Name)
                            .string_len(100)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DataSet::Digest).string_len(64).not_null())
                    .col(
                        ColumnDef::new(DataSet::ImportedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataSet::Table).to_owned())
            .await
    }
}
