//! `node`: one row per thing in the graph.

use sea_orm::entity::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::NodeKind;

/// A node of the graph. Its kind-specific facts live in the detail table of its kind.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "node")]
pub struct Model {
    /// Stable identifier.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What the node is.
    pub kind: NodeKind,
    /// Human-readable key, unique within the kind.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The name as [`fold`] folds it, for case- and accent-insensitive matching that behaves
    /// alike on every database (SQLite's `lower()` folds ASCII only).
    pub name_folded: String,
    /// A sentence or two about the node.
    pub summary: Option<String>,
    /// When the row was written first.
    pub created_at: DateTimeUtc,
    /// When the row was written last.
    pub updated_at: DateTimeUtc,
    /// Incremented on every update, for optimistic concurrency.
    pub version: i32,
}

/// Relations of `node`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The combining diacritical marks [`fold`] removes, as inclusive ranges of code points: the
/// Combining Diacritical Marks block and its Extended, Supplement, For Symbols and Half Marks
/// blocks. The PostgreSQL search index folds with the same ranges.
pub const DIACRITICS: [(char, char); 5] = [
    ('\u{0300}', '\u{036f}'),
    ('\u{1ab0}', '\u{1aff}'),
    ('\u{1dc0}', '\u{1dff}'),
    ('\u{20d0}', '\u{20ff}'),
    ('\u{fe20}', '\u{fe2f}'),
];

/// Whether `c` is one of the [`DIACRITICS`].
pub fn is_diacritic(c: char) -> bool {
    DIACRITICS
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&c))
}

/// Folds text for case- and accent-insensitive matching: the rule for `name_folded` and for
/// search terms. Lower case (Unicode's full mapping), then canonical decomposition without
/// [`DIACRITICS`], composed again: `São Tomé` folds to `sao tome`, `İstanbul` to `istanbul`.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .nfd()
        .filter(|c| !is_diacritic(*c))
        .nfc()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_drops_case_and_accents_and_keeps_other_letters() {
        assert_eq!(fold("São Tomé & Príncipe"), "sao tome & principe");
        assert_eq!(fold("Côte d’Ivoire"), "cote d’ivoire");
        assert_eq!(fold("TÜRKIYE"), "turkiye");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Ørsted ДОМ 한국"), "ørsted дом 한국");
    }
}
