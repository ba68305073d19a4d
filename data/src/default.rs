//! The default data set: data files built into the service, imported into every database it
//! starts on, and again whenever they change.
//!
//! `data_set` records the digest of the files each database was last given; on start, a
//! database whose digest differs (a new one, or one made by an earlier version) gets the files
//! through the importer, pruned to what they state, in one transaction.

use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use sha2::{Digest as _, Sha256};

use crate::import::{Options, Summary};
use crate::problems::Problems;
use crate::read::{ParsedFile, parse_text};
use crate::validate::ImportError;

/// The name the default data set is recorded under.
pub const NAME: &str = "default";

/// The files of the default data set: every ISO 3166-1 country, and the facts of the article
/// the graph starts from.
pub const FILES: [(&str, &str); 2] = [
    (
        "data/default/iso-3166-1.toml",
        include_str!("../default/iso-3166-1.toml"),
    ),
    (
        "data/default/dgx-2022-article.toml",
        include_str!("../default/dgx-2022-article.toml"),
    ),
];

/// The default data set, read.
pub fn files() -> Result<Vec<ParsedFile>, Problems> {
    FILES
        .iter()
        .map(|(name, text)| parse_text(name, text))
        .collect()
}

/// The digest of the default data set's files: their names and contents.
pub fn digest() -> String {
    let mut hasher = Sha256::new();
    for (name, text) in FILES {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The digest of the data set `name` the database holds, if any.
pub async fn recorded_digest<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<String>, DbErr> {
    let select = Query::select()
        .column(Alias::new("digest"))
        .from(Alias::new("data_set"))
        .and_where(Expr::col(Alias::new("name")).eq(name))
        .to_owned();
    match db.query_one(&select).await? {
        Some(row) => Ok(Some(row.try_get("", "digest")?)),
        None => Ok(None),
    }
}

async fn record<C: ConnectionTrait>(db: &C, name: &str, digest: &str) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("data_set"))
        .columns([
            Alias::new("name"),
            Alias::new("digest"),
            Alias::new("imported_at"),
        ])
        .values([name.into(), digest.into(), chrono::Utc::now().into()])
        .map_err(|error| DbErr::Custom(error.to_string()))?
        .on_conflict(
            OnConflict::column(Alias::new("name"))
                .update_columns([Alias::new("digest"), Alias::new("imported_at")])
                .to_owned(),
        );
    db.execute(&insert).await.map(|_| ())
}

/// Imports the default data set, pruned to what it states, and records its digest: what it
/// changed.
pub async fn import(db: &DatabaseConnection) -> Result<Summary, ImportError> {
    let files = files()?;
    let transaction = db.begin().await?;
    let options = Options {
        dry_run: false,
        prune: true,
    };
    let imported = async {
        let summary = crate::import_in(&transaction, &files, options).await?;
        record(&transaction, NAME, &digest()).await?;
        Ok::<_, ImportError>(summary)
    }
    .await;
    match imported {
        Ok(summary) => {
            transaction.commit().await?;
            Ok(summary)
        }
        Err(error) => {
            transaction.rollback().await?;
            Err(error)
        }
    }
}

/// Imports the default data set unless the database holds this version of it already: what
/// it changed, or `None` when it was up to date.
pub async fn bring_up_to_date(db: &DatabaseConnection) -> Result<Option<Summary>, ImportError> {
    if recorded_digest(db, NAME).await?.as_deref() == Some(digest().as_str()) {
        return Ok(None);
    }
    import(db).await.map(Some)
}

#[cfg(test)]
#[path = "default_tests.rs"]
mod tests;
