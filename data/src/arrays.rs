//! Many rows inserted into PostgreSQL by one statement with a parameter per column: each column's
//! values go as one array, and `unnest` reads them back as rows. A multi-row `VALUES` has a
//! parameter per value, and PostgreSQL builds an expression for each (a fifth of the server's
//! time in a bulk load); arrays need none, and the statement is the same whatever the rows.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use uuid::Uuid;

/// An insert into `table` of rows given column by column, skipping any whose `id` is taken.
pub(crate) struct ArrayInsert {
    table: &'static str,
    names: Vec<&'static str>,
    arrays: Vec<String>,
    reads: Vec<String>,
    values: Vec<Value>,
}

impl ArrayInsert {
    /// An insert into `table`, with no column yet.
    pub(crate) fn into(table: &'static str) -> Self {
        Self {
            table,
            names: Vec::new(),
            arrays: Vec::new(),
            reads: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The column `name`, of SQL type `sql_type`, holding `values` (an array), one per row.
    pub(crate) fn column(mut self, name: &'static str, sql_type: &str, values: Value) -> Self {
        self.values.push(values);
        self.arrays
            .push(format!("${}::{sql_type}[]", self.values.len()));
        self.names.push(name);
        self.reads.push(name.to_owned());
        self
    }

    /// A text column that may be NULL. The array holds `''` for NULL, which no such column can
    /// hold (each refuses blank text), and the insert reads it back as NULL.
    pub(crate) fn optional_text(
        self,
        name: &'static str,
        values: impl Iterator<Item = Option<String>>,
    ) -> Self {
        let values: Vec<String> = values.map(Option::unwrap_or_default).collect();
        self.column(name, "text", values.into())
            .read_as(format!("NULLIF({name}, '')"))
    }

    /// A uuid column that may be NULL. The array holds the nil uuid for NULL, which no id is
    /// (each is a digest), and the insert reads it back as NULL.
    pub(crate) fn optional_uuid(
        self,
        name: &'static str,
        values: impl Iterator<Item = Option<Uuid>>,
    ) -> Self {
        let values: Vec<Uuid> = values.map(Option::unwrap_or_default).collect();
        self.column(name, "uuid", values.into())
            .read_as(format!("NULLIF({name}, '{}')", Uuid::nil()))
    }

    /// Reads the last column as `expression`.
    fn read_as(mut self, expression: String) -> Self {
        if let Some(read) = self.reads.last_mut() {
            *read = expression;
        }
        self
    }

    /// Runs the insert: the ids of the rows it wrote.
    pub(crate) async fn run<C: ConnectionTrait>(self, db: &C) -> Result<HashSet<Uuid>, DbErr> {
        let names = self.names.join(", ");
        let sql = format!(
            "INSERT INTO {table} ({names}) SELECT {reads} FROM unnest({arrays}) AS r({names}) \
             ON CONFLICT (id) DO NOTHING RETURNING id",
            table = self.table,
            reads = self.reads.join(", "),
            arrays = self.arrays.join(", "),
        );
        let statement = Statement::from_sql_and_values(DbBackend::Postgres, sql, self.values);
        db.query_all_raw(statement)
            .await?
            .iter()
            .map(|row| row.try_get_by_index::<Uuid>(0))
            .collect()
    }
}
