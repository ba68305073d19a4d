//! On PostgreSQL, each row trigger that a bulk load defers fires on inserts alone: the triggers
//! that also fire on updates or deletes (search documents following `node` and the detail tables,
//! migration 3; relationships' copies of their ends, migration 6) are split in two, the insert
//! half named `…_insert`, as SQLite's are already. A bulk load then disables the insert halves
//! for its transaction (see `govgraph_data::bulk`), so that PostgreSQL neither calls them nor,
//! for the counts' statement trigger, keeps each inserted row for them; updates and deletes
//! inside a load still fire theirs. SQLite is left as it is: its deferred triggers are guarded
//! by a `WHEN` that costs no call (migration 10).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261129_000003_create_search::FOLLOWED;
use crate::run_all;

/// Splits PostgreSQL's insert triggers from their update and delete halves.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000011_split_insert_triggers"
    }
}

/// A trigger fired by inserts and by other events: (table, name, timing, other events,
/// function).
struct Mixed {
    table: &'static str,
    name: &'static str,
    timing: &'static str,
    others: &'static str,
    function: &'static str,
}

impl Mixed {
    /// Creates the trigger `name` of this one's table, timing and function, fired by `events`.
    fn create(&self, name: &str, events: &str) -> String {
        format!(
            "CREATE TRIGGER {name} {} {events} ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
            self.timing, self.table, self.function
        )
    }

    fn drop(&self, name: &str) -> String {
        format!("DROP TRIGGER {name} ON {}", self.table)
    }

    fn split(&self) -> [String; 3] {
        let insert = format!("{}_insert", self.name);
        [
            self.drop(self.name),
            self.create(&insert, "INSERT"),
            self.create(self.name, self.others),
        ]
    }

    fn join(&self) -> [String; 3] {
        [
            self.drop(&format!("{}_insert", self.name)),
            self.drop(self.name),
            self.create(self.name, &format!("INSERT OR {}", self.others)),
        ]
    }
}

/// Every mixed trigger, as migrations 3 and 6 created them.
fn mixed() -> Vec<Mixed> {
    let mut triggers = vec![
        Mixed {
            table: "node",
            name: "node_search_follow",
            timing: "AFTER",
            others: "UPDATE OF name, summary",
            function: "node_search_follow_node",
        },
        Mixed {
            table: "edge",
            name: "edge_ends_kept",
            timing: "BEFORE",
            others: "UPDATE OF subject_id, object_id",
            function: "edge_ends_kept",
        },
    ];
    triggers.extend(FOLLOWED.iter().map(|table| Mixed {
        table,
        name: "node_search_follow",
        timing: "AFTER",
        others: "UPDATE OR DELETE",
        function: "node_search_follow_detail",
    }));
    triggers
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        run_all(
            manager.get_connection(),
            mixed().iter().flat_map(Mixed::split),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        run_all(
            manager.get_connection(),
            mixed().iter().flat_map(Mixed::join),
        )
        .await
    }
}
