//! The graph: nodes, their details per kind, edges, sources, citations, external identifiers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Creates every table of the graph.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000001_create_graph"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Node {
    Table,
    Id,
    Kind,
    Slug,
    Name,
    NameFolded,
    Summary,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum Country {
    Table,
    Alpha2,
    Alpha3,
    NumericCode,
    OfficialName,
    Region,
    Subregion,
}

#[derive(DeriveIden, Clone, Copy)]
enum Person {
    Table,
    Honorific,
    Title,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisation {
    Table,
    OrgKind,
    Acronym,
}

#[derive(DeriveIden, Clone, Copy)]
enum Partnership {
    Table,
    Acronym,
    Established,
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkingGroup {
    Table,
    ShortName,
}

#[derive(DeriveIden, Clone, Copy)]
enum Event {
    Table,
    StartsOn,
    EndsOn,
    Location,
    Edition,
    Format,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deliverable {
    Table,
    #[sea_orm(iden = "deliverable_kind")]
    Kind,
    Published,
    Url,
}

#[derive(DeriveIden, Clone, Copy)]
enum Source {
    Table,
    #[sea_orm(iden = "source_kind")]
    Kind,
    Url,
    Publisher,
    Published,
    Licence,
}

#[derive(DeriveIden, Clone, Copy)]
enum Edge {
    Table,
    Id,
    SubjectId,
    Predicate,
    ObjectId,
    Role,
    ValidFrom,
    ValidTo,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum Citation {
    Table,
    Id,
    SourceId,
    NodeId,
    EdgeId,
    Excerpt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ExternalId {
    Table,
    Scheme,
    Value,
    NodeId,
}

/// The shared columns of detail tables: `node_id`, the key that makes them 1:1 with `node`,
/// and `kind`, the kind of node they detail.
#[derive(DeriveIden, Clone, Copy)]
enum Detail {
    NodeId,
    Kind,
}

const NODE_KINDS: &str = "'PARTNERSHIP','WORKING_GROUP','EVENT','PERSON','COUNTRY','ORGANISATION','DELIVERABLE','TOPIC','SOURCE'";
const PREDICATES: &str = "'MEMBER_OF','CO_CHAIRS','ORGANISES','HOSTS','PARTICIPATES_IN','HAS_WORKING_GROUP','PRODUCED','FOCUSES_ON','DISCUSSED','AUTHORED','CREDITED_IN','AFFILIATED_WITH','PART_OF','ESTABLISHED','SUPPORTS'";

fn check(name: &str, sql: impl Into<String>) -> Check {
    Check::named(Alias::new(name), Expr::cust(sql.into()))
}

/// A partial date column holds `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a month in 01..12 and a
/// day in 01..31; the service checks the calendar before it writes. The one check that is
/// spelled differently on each database: SQLite has `GLOB`, PostgreSQL regular expressions.
fn partial_date_check(backend: DbBackend, table: &str, column: &str) -> Check {
    let rule = match backend {
        DbBackend::Postgres => {
            format!("{column} ~ '^[0-9]{{4}}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$'")
        }
        _ => {
            let year = "[0-9][0-9][0-9][0-9]";
            let month = "[01][0-9]";
            let day = "[0-3][0-9]";
            format!(
                "({column} GLOB '{year}' OR {column} GLOB '{year}-{month}' OR {column} GLOB '{year}-{month}-{day}') \
                 AND ({column} GLOB '{year}' OR substr({column}, 6, 2) BETWEEN '01' AND '12') \
                 AND (length({column}) < 10 OR substr({column}, 9, 2) BETWEEN '01' AND '31')"
            )
        }
    };
    check(
        &format!("{table}_{column}_is_partial_date"),
        format!("{column} IS NULL OR ({rule})"),
    )
}

/// A slug is lower-case ASCII words joined by single hyphens, e.g. `dgx-2022`.
fn slug_check(backend: DbBackend) -> Check {
    let rule = match backend {
        DbBackend::Postgres => "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'".to_owned(),
        _ => "slug NOT GLOB '*[^a-z0-9-]*' AND slug NOT GLOB '-*' AND slug NOT GLOB '*-' \
              AND slug NOT GLOB '*--*'"
            .to_owned(),
    };
    check(
        "node_slug_format",
        format!("length(slug) BETWEEN 1 AND 100 AND {rule}"),
    )
}

/// A text column that sorts and compares by code point on both databases, as SQLite's default
/// collation does, so that lists come in the same order from either.
fn bytewise(backend: DbBackend, mut column: ColumnDef) -> ColumnDef {
    if backend == DbBackend::Postgres {
        column.extra("COLLATE \"C\"");
    }
    column
}

/// `later` does not fall before `earlier`, compared at the precision of `later`.
fn ordered_dates_check(table: &str, earlier: &str, later: &str) -> Check {
    check(
        &format!("{table}_{later}_not_before_{earlier}"),
        format!(
            "{earlier} IS NULL OR {later} IS NULL OR {later} >= substr({earlier}, 1, length({later}))"
        ),
    )
}

fn optional_text_check(table: &str, column: &str) -> Check {
    check(
        &format!("{table}_{column}_not_blank"),
        format!("{column} IS NULL OR length(trim({column})) > 0"),
    )
}

/// A detail table of nodes of `kind`: `node_id` is its primary key, and `(node_id, kind)`
/// a foreign key to `node (id, kind)` with `kind` fixed, so that a detail row can only detail a
/// node of its own kind.
fn detail_table<T: IntoIden + Copy + 'static>(table: T, kind: &str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(uuid(Detail::NodeId).primary_key())
        .col(string_len(Detail::Kind, 16).default(kind))
        .check(check(
            &format!("{}_kind_fixed", table.into_iden()),
            format!("kind = '{kind}'"),
        ))
        .foreign_key(
            ForeignKey::create()
                .from_tbl(table)
                .from_col(Detail::NodeId)
                .from_col(Detail::Kind)
                .to_tbl(Node::Table)
                .to_col(Node::Id)
                .to_col(Node::Kind)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn index<T: IntoIden + 'static>(
    name: &str,
    table: T,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Node::Table)
                    .col(uuid(Node::Id).primary_key())
                    .col(string_len(Node::Kind, 16))
                    .col(bytewise(backend, string_len(Node::Slug, 100)))
                    .col(bytewise(backend, string_len(Node::Name, 300)))
                    .col(string_len(Node::NameFolded, 300))
                    .col(text_null(Node::Summary))
                    .col(timestamp_with_time_zone(Node::CreatedAt))
                    .col(timestamp_with_time_zone(Node::UpdatedAt))
                    .col(integer(Node::Version).default(1))
                    .check(check("node_kind_known", format!("kind IN ({NODE_KINDS})")))
                    .check(slug_check(backend))
                    .check(check("node_name_not_blank", "length(trim(name)) > 0"))
                    .check(check(
                        "node_name_folded_not_blank",
                        "length(trim(name_folded)) > 0",
                    ))
                    .check(optional_text_check("node", "summary"))
                    .check(check("node_version_positive", "version >= 1"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("node_kind_slug_key", Node::Table, &["kind", "slug"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The parent key of the detail tables' foreign keys.
        manager
            .create_index(
                index("node_id_kind_key", Node::Table, &["id", "kind"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "node_kind_name_idx",
                Node::Table,
                &["kind", "name", "id"],
            ))
            .await?;

        manager
            .create_table(
                detail_table(Country::Table, "COUNTRY")
                    .col(bytewise(backend, char_len_uniq(Country::Alpha2, 2)))
                    .col(bytewise(backend, char_len_uniq(Country::Alpha3, 3)))
                    .col(char_len_uniq(Country::NumericCode, 3))
                    .col(string_len(Country::OfficialName, 300))
                    .col(string_len_null(Country::Region, 64))
                    .col(string_len_null(Country::Subregion, 64))
                    .check(check(
                        "country_alpha2_format",
                        "length(alpha2) = 2 AND alpha2 = upper(alpha2)",
                    ))
                    .check(check(
                        "country_alpha3_format",
                        "length(alpha3) = 3 AND alpha3 = upper(alpha3)",
                    ))
                    .check(check(
                        "country_numeric_code_format",
                        "length(numeric_code) = 3 AND numeric_code BETWEEN '000' AND '999'",
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(Person::Table, "PERSON")
                    .col(string_len_null(Person::Honorific, 32))
                    .col(string_len_null(Person::Title, 300))
                    .check(optional_text_check("person", "honorific"))
                    .check(optional_text_check("person", "title"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(Organisation::Table, "ORGANISATION")
                    .col(string_len_null(Organisation::OrgKind, 32))
                    .col(string_len_null(Organisation::Acronym, 32))
                    .check(check(
                        "organisation_kind_known",
                        "org_kind IS NULL OR org_kind IN ('GOVERNMENT_AGENCY','INTERNATIONAL_ORGANISATION','ORGANISATIONAL_UNIT','COMPANY','ACADEMIC','NON_GOVERNMENTAL')",
                    ))
                    .check(optional_text_check("organisation", "acronym"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(Partnership::Table, "PARTNERSHIP")
                    .col(string_len_null(Partnership::Acronym, 32))
                    .col(string_len_null(Partnership::Established, 10))
                    .check(optional_text_check("partnership", "acronym"))
                    .check(partial_date_check(backend, "partnership", "established"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(WorkingGroup::Table, "WORKING_GROUP")
                    .col(string_len_null(WorkingGroup::ShortName, 64))
                    .check(optional_text_check("working_group", "short_name"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(Event::Table, "EVENT")
                    .col(string_len_null(Event::StartsOn, 10))
                    .col(string_len_null(Event::EndsOn, 10))
                    .col(string_len_null(Event::Location, 300))
                    .col(integer_null(Event::Edition))
                    .col(string_len_null(Event::Format, 16))
                    .check(partial_date_check(backend, "event", "starts_on"))
                    .check(partial_date_check(backend, "event", "ends_on"))
                    .check(ordered_dates_check("event", "starts_on", "ends_on"))
                    .check(check(
                        "event_edition_positive",
                        "edition IS NULL OR edition >= 1",
                    ))
                    .check(check(
                        "event_format_known",
                        "format IS NULL OR format IN ('IN_PERSON','VIRTUAL','HYBRID')",
                    ))
                    .check(optional_text_check("event", "location"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(Deliverable::Table, "DELIVERABLE")
                    .col(string_len(Deliverable::Kind, 16))
                    .col(string_len_null(Deliverable::Published, 10))
                    .col(string_len_null(Deliverable::Url, 2000))
                    .check(check(
                        "deliverable_kind_known",
                        "deliverable_kind IN ('REPORT','GUIDANCE','INSIGHTS','PORTAL','TOOL')",
                    ))
                    .check(partial_date_check(backend, "deliverable", "published"))
                    .check(optional_text_check("deliverable", "url"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                detail_table(Source::Table, "SOURCE")
                    .col(string_len(Source::Kind, 16))
                    .col(string_len_null(Source::Url, 2000))
                    .col(string_len_null(Source::Publisher, 300))
                    .col(string_len_null(Source::Published, 10))
                    .col(string_len_null(Source::Licence, 100))
                    .check(check(
                        "source_kind_known",
                        "source_kind IN ('ARTICLE','REPORT','WEB_PAGE','DATASET')",
                    ))
                    .check(partial_date_check(backend, "source", "published"))
                    .check(optional_text_check("source", "url"))
                    .check(optional_text_check("source", "publisher"))
                    .check(optional_text_check("source", "licence"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Edge::Table)
                    .col(uuid(Edge::Id).primary_key())
                    .col(uuid(Edge::SubjectId))
                    .col(string_len(Edge::Predicate, 24))
                    .col(uuid(Edge::ObjectId))
                    .col(string_len_null(Edge::Role, 300))
                    .col(string_len_null(Edge::ValidFrom, 10))
                    .col(string_len_null(Edge::ValidTo, 10))
                    .col(timestamp_with_time_zone(Edge::CreatedAt))
                    .col(timestamp_with_time_zone(Edge::UpdatedAt))
                    .col(integer(Edge::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Edge::Table, Edge::SubjectId)
                            .to(Node::Table, Node::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Edge::Table, Edge::ObjectId)
                            .to(Node::Table, Node::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(check(
                        "edge_predicate_known",
                        format!("predicate IN ({PREDICATES})"),
                    ))
                    .check(check("edge_not_a_loop", "subject_id <> object_id"))
                    .check(optional_text_check("edge", "role"))
                    .check(partial_date_check(backend, "edge", "valid_from"))
                    .check(partial_date_check(backend, "edge", "valid_to"))
                    .check(ordered_dates_check("edge", "valid_from", "valid_to"))
                    .check(check("edge_version_positive", "version >= 1"))
                    .to_owned(),
            )
            .await?;
        // One fact once: the same subject, predicate, object, role and start. NULLs are distinct
        // in a plain unique index, so the optional parts are coalesced.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX edge_fact_key ON edge \
                 (subject_id, predicate, object_id, COALESCE(role, ''), COALESCE(valid_from, ''))",
            )
            .await?;
        manager
            .create_index(index(
                "edge_subject_idx",
                Edge::Table,
                &["subject_id", "predicate"],
            ))
            .await?;
        manager
            .create_index(index(
                "edge_object_idx",
                Edge::Table,
                &["object_id", "predicate"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Citation::Table)
                    .col(uuid(Citation::Id).primary_key())
                    .col(uuid(Citation::SourceId))
                    .col(uuid_null(Citation::NodeId))
                    .col(uuid_null(Citation::EdgeId))
                    .col(text_null(Citation::Excerpt))
                    .col(timestamp_with_time_zone(Citation::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Citation::Table, Citation::SourceId)
                            .to(Source::Table, Detail::NodeId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Citation::Table, Citation::NodeId)
                            .to(Node::Table, Node::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Citation::Table, Citation::EdgeId)
                            .to(Edge::Table, Edge::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(check(
                        "citation_states_one_fact",
                        "(node_id IS NULL AND edge_id IS NOT NULL) OR (node_id IS NOT NULL AND edge_id IS NULL)",
                    ))
                    .check(optional_text_check("citation", "excerpt"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "citation_node_key",
                    Citation::Table,
                    &["node_id", "source_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "citation_edge_key",
                    Citation::Table,
                    &["edge_id", "source_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "citation_source_idx",
                Citation::Table,
                &["source_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ExternalId::Table)
                    .col(string_len(ExternalId::Scheme, 32))
                    .col(string_len(ExternalId::Value, 300))
                    .col(uuid(ExternalId::NodeId))
                    .primary_key(
                        Index::create()
                            .col(ExternalId::Scheme)
                            .col(ExternalId::Value),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExternalId::Table, ExternalId::NodeId)
                            .to(Node::Table, Node::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(check(
                        "external_id_scheme_format",
                        "length(scheme) BETWEEN 1 AND 32 AND scheme = lower(scheme)",
                    ))
                    .check(check(
                        "external_id_value_not_blank",
                        "length(trim(value)) > 0",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "external_id_node_scheme_key",
                    ExternalId::Table,
                    &["node_id", "scheme"],
                )
                .unique()
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "external_id",
            "citation",
            "edge",
            "source",
            "deliverable",
            "event",
            "working_group",
            "partnership",
            "organisation",
            "person",
            "country",
            "node",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
