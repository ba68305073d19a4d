//! Search: one document per node, kept by the database itself as the node, its detail and its
//! external identifiers change, and indexed for full-text search (SQLite FTS5; PostgreSQL
//! `tsvector` with a GIN index). Also the names people use for countries: a country's `name`
//! becomes CLDR's English name, its ISO short name moves to `country.iso_name`, and CLDR's
//! short form (`UK`) to `country.short_name`; and `node.name_folded` is folded again, now
//! without accents.
//!
//! The document of a node (`node_search`) has four parts, each weighted for ranking: its
//! `name`; its `codes` (ISO codes, acronyms, short names, external identifiers: a search whose
//! every word is one of them ranks the node first); its `aliases` (a country's ISO and official
//! names); and its `summary`. Triggers on `node`, on the detail tables that hold codes and
//! aliases, and on `external_id` rewrite the document of the node a written row belongs to, so
//! the index follows every write, whoever makes it.

use govgraph_entities::node::{DIACRITICS, fold};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::countries::country_names;
use crate::run_all;

/// Creates the search document of every node and its index, and names countries as CLDR does.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000003_create_search"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Country {
    Table,
    Alpha2,
    IsoName,
    ShortName,
    NodeId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Node {
    Table,
    Id,
    Name,
    NameFolded,
    UpdatedAt,
}

/// The detail columns that are codes or short names of a node, by table.
const CODES: [(&str, &[&str]); 4] = [
    ("country", &["alpha2", "alpha3", "short_name"]),
    ("organisation", &["acronym"]),
    ("partnership", &["acronym"]),
    ("working_group", &["short_name"]),
];

/// The detail columns that are longer names of a node, by table.
const ALIASES: [(&str, &[&str]); 1] = [("country", &["iso_name", "official_name"])];

/// The tables whose rows change a node's document, besides `node`.
pub(crate) const FOLLOWED: [&str; 5] = [
    "country",
    "organisation",
    "partnership",
    "working_group",
    "external_id",
];

/// What separates words in PostgreSQL's documents besides spaces, as the read path's words are
/// split on everything but letters and digits: ASCII and Latin-1 punctuation and symbols, and the
/// General Punctuation, Supplemental Punctuation and CJK Symbols and Punctuation blocks. Said
/// as code points so that it holds whatever the database's locale.
const SEPARATORS: [(char, char); 9] = [
    ('\u{0021}', '\u{002f}'),
    ('\u{003a}', '\u{0040}'),
    ('\u{005b}', '\u{0060}'),
    ('\u{007b}', '\u{00bf}'),
    ('\u{00d7}', '\u{00d7}'),
    ('\u{00f7}', '\u{00f7}'),
    ('\u{2000}', '\u{206f}'),
    ('\u{2e00}', '\u{2e7f}'),
    ('\u{3000}', '\u{303f}'),
];

/// A regular-expression bracket expression matching the characters of `ranges`.
fn bracket(ranges: &[(char, char)]) -> String {
    let code = |c: char| format!("\\u{:04x}", u32::from(c));
    let inside: String = ranges
        .iter()
        .map(|(first, last)| match first == last {
            true => code(*first),
            false => format!("{}-{}", code(*first), code(*last)),
        })
        .collect();
    format!("[{inside}]")
}

/// The parts of a node's codes or aliases: one scalar subquery per column, NULL when the node
/// has no such row or value.
fn parts(columns: &[(&str, &[&str])], target: &str) -> Vec<String> {
    columns
        .iter()
        .flat_map(|(table, names)| {
            names.iter().map(move |column| {
                format!("(SELECT {column} FROM {table} WHERE {table}.node_id = {target})")
            })
        })
        .collect()
}

/// The non-NULL `parts`, joined by `; `; empty when all are NULL.
fn joined(parts: &[String]) -> String {
    let chained: Vec<String> = parts
        .iter()
        .map(|part| format!("coalesce('; ' || {part}, '')"))
        .collect();
    format!("substr({}, 3)", chained.join(" || "))
}

/// The search document of the node whose id is the SQL expression `target`, as the columns
/// `node_id, name, codes, aliases, summary`, selected from `node AS n`.
pub(crate) fn document(backend: DbBackend, target: &str) -> String {
    let mut codes = parts(&CODES, target);
    codes.push(format!(
        "(SELECT {} FROM external_id WHERE external_id.node_id = {target})",
        external_ids(backend)
    ));
    format!(
        "SELECT n.id, n.name, {codes}, {aliases}, coalesce(n.summary, '') FROM node AS n",
        codes = joined(&codes),
        aliases = joined(&parts(&ALIASES, target)),
    )
}

/// Every node's search document, as [`document`] gives one node's, read by joining each table
/// of details once rather than by a subquery per node and column: what a bulk load derives.
pub(crate) fn every_document(backend: DbBackend) -> String {
    let columns = |of: &[(&str, &[&str])]| -> Vec<String> {
        of.iter()
            .flat_map(|(table, names)| names.iter().map(move |column| format!("{table}.{column}")))
            .collect()
    };
    let mut codes = columns(&CODES);
    codes.push("external.ids".to_owned());
    // Each table of details holds at most one row per node.
    let joins: Vec<String> = FOLLOWED
        .iter()
        .filter(|table| **table != "external_id")
        .map(|table| format!("LEFT JOIN {table} ON {table}.node_id = n.id"))
        .collect();
    format!(
        "SELECT n.id, n.name, {codes}, {aliases}, coalesce(n.summary, '') FROM node AS n {joins} \
         LEFT JOIN (SELECT node_id, {external_ids} AS ids FROM external_id GROUP BY node_id) \
           AS external ON external.node_id = n.id",
        codes = joined(&codes),
        aliases = joined(&columns(&ALIASES)),
        joins = joins.join(" "),
        external_ids = external_ids(backend),
    )
}

/// A node's external ids in its document: their values, aggregated.
fn external_ids(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "string_agg(value, '; ' ORDER BY scheme, value)",
        _ => "group_concat(value, '; ')",
    }
}

/// Writes the document of the node whose id is `target`, or nothing when there is no such node.
fn refresh(backend: DbBackend, target: &str) -> String {
    format!(
        "INSERT INTO node_search (node_id, name, codes, aliases, summary) \
         {document} WHERE n.id = {target} \
         ON CONFLICT (node_id) DO UPDATE SET name = excluded.name, codes = excluded.codes, \
         aliases = excluded.aliases, summary = excluded.summary",
        document = document(backend, "n.id"),
    )
}

/// The statements that create the SQLite search structures: the documents, an external-content
/// FTS5 index over them (folding case and diacritics in its tokenizer), the triggers that keep
/// the index in step with the documents, and those that keep the documents in step with the
/// graph.
fn sqlite_up() -> Vec<String> {
    let backend = DbBackend::Sqlite;
    let columns = "name, codes, aliases, summary";
    let new_values = "new.name, new.codes, new.aliases, new.summary";
    let old_values = "old.name, old.codes, old.aliases, old.summary";
    let mut statements = vec![
        // `id` is the FTS5 row id: an INTEGER PRIMARY KEY, which VACUUM keeps.
        "CREATE TABLE node_search (\
            id INTEGER PRIMARY KEY, \
            node_id uuid_text NOT NULL UNIQUE REFERENCES node (id) ON DELETE CASCADE, \
            name TEXT NOT NULL, codes TEXT NOT NULL, aliases TEXT NOT NULL, summary TEXT NOT NULL)"
            .to_owned(),
        format!(
            "CREATE VIRTUAL TABLE node_search_fts USING fts5({columns}, \
             content = 'node_search', content_rowid = 'id', \
             tokenize = 'unicode61 remove_diacritics 2')"
        ),
        format!(
            "CREATE TRIGGER node_search_fts_insert AFTER INSERT ON node_search BEGIN \
             INSERT INTO node_search_fts (rowid, {columns}) VALUES (new.id, {new_values}); END"
        ),
        format!(
            "CREATE TRIGGER node_search_fts_delete AFTER DELETE ON node_search BEGIN \
             INSERT INTO node_search_fts (node_search_fts, rowid, {columns}) \
             VALUES ('delete', old.id, {old_values}); END"
        ),
        format!(
            "CREATE TRIGGER node_search_fts_update AFTER UPDATE ON node_search BEGIN \
             INSERT INTO node_search_fts (node_search_fts, rowid, {columns}) \
             VALUES ('delete', old.id, {old_values}); \
             INSERT INTO node_search_fts (rowid, {columns}) VALUES (new.id, {new_values}); END"
        ),
        format!(
            "CREATE TRIGGER node_search_follow_node_insert AFTER INSERT ON node BEGIN {}; END",
            refresh(backend, "new.id")
        ),
        format!(
            "CREATE TRIGGER node_search_follow_node_update AFTER UPDATE OF name, summary ON node \
             BEGIN {}; END",
            refresh(backend, "new.id")
        ),
        "CREATE TRIGGER node_search_follow_node_delete AFTER DELETE ON node BEGIN \
         DELETE FROM node_search WHERE node_id = old.id; END"
            .to_owned(),
    ];
    for table in FOLLOWED {
        statements.push(format!(
            "CREATE TRIGGER node_search_follow_{table}_insert AFTER INSERT ON {table} BEGIN {}; END",
            refresh(backend, "new.node_id")
        ));
        statements.push(format!(
            "CREATE TRIGGER node_search_follow_{table}_update AFTER UPDATE ON {table} BEGIN {}; {}; END",
            refresh(backend, "old.node_id"),
            refresh(backend, "new.node_id")
        ));
        statements.push(format!(
            "CREATE TRIGGER node_search_follow_{table}_delete AFTER DELETE ON {table} BEGIN {}; END",
            refresh(backend, "old.node_id")
        ));
    }
    statements.push(format!(
        "INSERT INTO node_search (node_id, name, codes, aliases, summary) {}",
        document(backend, "n.id")
    ));
    statements
}

/// The statements that drop the SQLite search structures.
fn sqlite_down() -> Vec<String> {
    let mut triggers = vec![
        "node_search_fts_insert".to_owned(),
        "node_search_fts_delete".to_owned(),
        "node_search_fts_update".to_owned(),
    ];
    for table in std::iter::once("node").chain(FOLLOWED) {
        for event in ["insert", "update", "delete"] {
            triggers.push(format!("node_search_follow_{table}_{event}"));
        }
    }
    let mut statements: Vec<String> = triggers
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS {name}"))
        .collect();
    statements.push("DROP TABLE IF EXISTS node_search_fts".to_owned());
    statements.push("DROP TABLE IF EXISTS node_search".to_owned());
    statements
}

/// The statements that create the PostgreSQL search structures: the folding functions, the
/// documents with their weighted `tsvector` (a generated column) and its GIN index, and the
/// triggers that keep the documents in step with the graph. `lower_case` lower-cases a text
/// expression `t`: with ICU's root collation where the server has ICU, so that case folds alike
/// whatever the database's locale.
fn postgres_up(lower_case: &str) -> Vec<String> {
    let backend = DbBackend::Postgres;
    let words = |column: &str| format!("to_tsvector('simple', search_words({column}))");
    vec![
        format!(
            "CREATE FUNCTION search_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE \
             AS $$ SELECT normalize(regexp_replace(normalize({lower_case}, NFD), '{marks}', '', 'g'), NFC) $$",
            marks = bracket(&DIACRITICS),
        ),
        format!(
            "CREATE FUNCTION search_words(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE \
             AS $$ SELECT regexp_replace(search_fold(t), '{separators}', ' ', 'g') $$",
            separators = bracket(&SEPARATORS),
        ),
        format!(
            "CREATE TABLE node_search (\
                node_id uuid PRIMARY KEY REFERENCES node (id) ON DELETE CASCADE, \
                name text NOT NULL, codes text NOT NULL, aliases text NOT NULL, summary text NOT NULL, \
                document tsvector NOT NULL GENERATED ALWAYS AS (\
                    setweight({name}, 'A') || setweight({codes}, 'B') || \
                    setweight({aliases}, 'C') || setweight({summary}, 'D')) STORED)",
            name = words("name"),
            codes = words("codes"),
            aliases = words("aliases"),
            summary = words("summary"),
        ),
        "CREATE INDEX node_search_document_idx ON node_search USING gin (document)".to_owned(),
        format!(
            "CREATE FUNCTION node_search_refresh(target uuid) RETURNS void LANGUAGE sql \
             AS $$ {} $$",
            refresh(backend, "target")
        ),
        "CREATE FUNCTION node_search_follow_node() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN PERFORM node_search_refresh(NEW.id); RETURN NULL; END $$"
            .to_owned(),
        "CREATE TRIGGER node_search_follow AFTER INSERT OR UPDATE OF name, summary ON node \
         FOR EACH ROW EXECUTE FUNCTION node_search_follow_node()"
            .to_owned(),
        "CREATE FUNCTION node_search_follow_detail() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.node_id <> NEW.node_id) THEN \
             PERFORM node_search_refresh(OLD.node_id); \
           END IF; \
           IF TG_OP <> 'DELETE' THEN PERFORM node_search_refresh(NEW.node_id); END IF; \
           RETURN NULL; \
         END $$"
            .to_owned(),
    ]
    .into_iter()
    .chain(FOLLOWED.iter().map(|table| {
        format!(
            "CREATE TRIGGER node_search_follow AFTER INSERT OR UPDATE OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION node_search_follow_detail()"
        )
    }))
    .chain(std::iter::once(format!(
        "INSERT INTO node_search (node_id, name, codes, aliases, summary) {}",
        document(backend, "n.id")
    )))
    .collect()
}

/// The statements that drop the PostgreSQL search structures.
fn postgres_down() -> Vec<String> {
    vec![
        "DROP TABLE IF EXISTS node_search".to_owned(),
        "DROP FUNCTION IF EXISTS node_search_follow_node() CASCADE".to_owned(),
        "DROP FUNCTION IF EXISTS node_search_follow_detail() CASCADE".to_owned(),
        "DROP FUNCTION IF EXISTS node_search_refresh(uuid)".to_owned(),
        "DROP FUNCTION IF EXISTS search_words(text)".to_owned(),
        "DROP FUNCTION IF EXISTS search_fold(text)".to_owned(),
    ]
}

/// How PostgreSQL lower-cases the text `t` in `search_fold`: with ICU's root collation when
/// the server has ICU, else by the database's own locale.
async fn postgres_lower_case<C: ConnectionTrait>(db: &C) -> Result<&'static str, DbErr> {
    let icu = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 AS found FROM pg_collation WHERE collname = 'und-x-icu'",
        ))
        .await?;
    Ok(match icu {
        Some(_) => "lower(t COLLATE \"und-x-icu\")",
        None => "lower(t)",
    })
}

/// Folds every node's name again with the current [`fold`], where it folds differently.
async fn refold_names<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let select = Query::select()
        .columns([Node::Id, Node::Name, Node::NameFolded])
        .from(Node::Table)
        .to_owned();
    for row in db.query_all(&select).await? {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let name: String = row.try_get("", "name")?;
        let folded: String = row.try_get("", "name_folded")?;
        let refolded = fold(&name);
        if refolded != folded {
            let update = Query::update()
                .table(Node::Table)
                .value(Node::NameFolded, refolded)
                .and_where(Expr::col(Node::Id).eq(id))
                .to_owned();
            db.execute(&update).await?;
        }
    }
    Ok(())
}

/// Names every country as CLDR does, keeping its ISO short name and CLDR's short form.
async fn name_countries<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let names = country_names().map_err(|error| DbErr::Migration(error.to_string()))?;
    let now = chrono::Utc::now();
    for names in names {
        let detail = Query::update()
            .table(Country::Table)
            .value(Country::IsoName, names.iso_name.clone())
            .value(Country::ShortName, names.short_name.clone())
            .and_where(Expr::col(Country::Alpha2).eq(names.alpha2.clone()))
            .to_owned();
        db.execute(&detail).await?;
        let node = Query::update()
            .table(Node::Table)
            .value(Node::Name, names.name.clone())
            .value(Node::NameFolded, fold(&names.name))
            .value(Node::UpdatedAt, now)
            .and_where(
                Expr::col(Node::Id).in_subquery(
                    Query::select()
                        .column(Country::NodeId)
                        .from(Country::Table)
                        .and_where(Expr::col(Country::Alpha2).eq(names.alpha2))
                        .to_owned(),
                ),
            )
            .and_where(Expr::col(Node::Name).ne(names.name))
            .to_owned();
        db.execute(&node).await?;
    }
    Ok(())
}

/// Names every country by its ISO short name again, as before this migration.
async fn unname_countries<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let select = Query::select()
        .columns([Country::NodeId, Country::IsoName])
        .from(Country::Table)
        .to_owned();
    for row in db.query_all(&select).await? {
        let id: uuid::Uuid = row.try_get("", "node_id")?;
        let name: String = row.try_get("", "iso_name")?;
        let update = Query::update()
            .table(Node::Table)
            .value(Node::Name, name.clone())
            .value(Node::NameFolded, fold(&name))
            .and_where(Expr::col(Node::Id).eq(id))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds a NOT NULL column only with a default; the rows there get their names
        // below, and rows written later name themselves.
        manager
            .alter_table(
                Table::alter()
                    .table(Country::Table)
                    .add_column(
                        ColumnDef::new(Country::IsoName)
                            .string_len(300)
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Country::Table)
                    .add_column(ColumnDef::new(Country::ShortName).string_len(64).null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        name_countries(db).await?;
        refold_names(db).await?;
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_up(postgres_lower_case(db).await?),
            _ => sqlite_up(),
        };
        run_all(db, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_down(),
            _ => sqlite_down(),
        };
        run_all(db, statements).await?;
        unname_countries(db).await?;
        for column in [Country::ShortName, Country::IsoName] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Country::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_expressions_name_code_points() {
        assert_eq!(
            bracket(&[('\u{0300}', '\u{036f}'), ('\u{00d7}', '\u{00d7}')]),
            "[\\u0300-\\u036f\\u00d7]"
        );
    }

    #[test]
    fn a_document_joins_the_parts_a_node_has() {
        let sql = document(DbBackend::Sqlite, "n.id");
        assert!(sql.contains("(SELECT alpha3 FROM country WHERE country.node_id = n.id)"));
        assert!(sql.contains("group_concat(value, '; ')"));
        assert!(document(DbBackend::Postgres, "n.id").contains("string_agg(value, '; '"));
    }
}
