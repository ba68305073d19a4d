//! What a search asks for: the words of a text, folded as names are folded, and the kinds of
//! node it looks among; and a hit's snippet, its text cut into fragments with the words the
//! search matched highlighted. [`crate::store::search_nodes`] turns a [`Search`] into SQL.
//!
//! A word is a run of letters and digits; everything else separates words. Words are folded
//! by [`govgraph_entities::node::fold`] (case and accents dropped), so `sao tome` matches
//! `São Tomé`. The words the store hands the database are letters and digits only, whatever the
//! text held: quotes, operators and wildcards of either database's search syntax never reach
//! it.

use govgraph_entities::NodeKind;
use govgraph_entities::node::fold;

use crate::page::{Cursor, Page, PageError};

/// The most characters a search text may have.
pub const MAX_TEXT_CHARS: usize = 200;

/// The most distinct words a search text may have.
pub const MAX_WORDS: usize = 16;

/// The name of the order of search results, carried in their cursors.
pub const RELEVANCE: &str = "Relevance";

/// Why a search text was refused; the message says how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchError(pub String);

/// Checks that the cursors of `page` come from a search: a score and an id.
pub fn check_cursors(page: &Page) -> Result<(), PageError> {
    page.check_order(RELEVANCE)?;
    for cursor in page.after.iter().chain(&page.before) {
        cursor_score(cursor)?;
    }
    Ok(())
}

/// The score a search cursor holds.
pub fn cursor_score(cursor: &Cursor) -> Result<f64, PageError> {
    cursor
        .key
        .parse::<f64>()
        .ok()
        .filter(|score| score.is_finite())
        .ok_or_else(|| {
            PageError(
                "this cursor is not one of a search; use a `cursor` or `pageInfo` value it returned"
                    .to_owned(),
            )
        })
}

/// A search: the words a node must have, and the kinds of node it looks among.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Search {
    /// The distinct words of the text, folded, in the order they came.
    pub words: Vec<String>,
    /// Whether the last word may be the start of a longer word (`sing` matching `Singapore`):
    /// true unless the text ends between words, as in `united `.
    pub prefix: bool,
    /// Only nodes of these kinds; of any kind when empty.
    pub kinds: Vec<NodeKind>,
}

/// The words of `text`: its runs of letters and digits, folded.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Search {
    /// The search for `text` among nodes of `kinds` (any when empty). A text with no word (empty,
    /// spaces, punctuation) is a search that finds nothing; one longer than [`MAX_TEXT_CHARS`]
    /// or with more than [`MAX_WORDS`] distinct words is refused.
    pub fn new(text: &str, kinds: &[NodeKind]) -> Result<Self, SearchError> {
        let length = text.chars().count();
        if length > MAX_TEXT_CHARS {
            return Err(SearchError(format!(
                "`text` takes at most {MAX_TEXT_CHARS} characters, not {length}"
            )));
        }
        let mut distinct: Vec<String> = Vec::new();
        for word in words(text) {
            if !distinct.contains(&word) {
                distinct.push(word);
            }
        }
        if distinct.len() > MAX_WORDS {
            return Err(SearchError(format!(
                "`text` takes at most {MAX_WORDS} different words, not {}",
                distinct.len()
            )));
        }
        let prefix = text
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || is_mark(c));
        let mut kinds = kinds.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        Ok(Self {
            words: distinct,
            prefix,
            kinds,
        })
    }

    /// Whether the search has no word, and so finds nothing.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether a folded word of a node's text is one the search matches: one of its words, or,
    /// with [`Search::prefix`], a word its last word starts.
    pub fn matches(&self, word: &str) -> bool {
        let last = self.words.len().saturating_sub(1);
        self.words.iter().enumerate().any(|(index, searched)| {
            word == searched
                || (self.prefix && index == last && word.starts_with(searched.as_str()))
        })
    }
}

/// A piece of a hit's text: highlighted when it is a word the search matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// The text, as the node has it.
    pub text: String,
    /// Whether the text is a word the search matched.
    pub highlighted: bool,
}

/// A run of `text`: a word (letters, digits and the marks on them) or what lies between words.
struct Run<'a> {
    text: &'a str,
    word: bool,
}

fn runs(text: &str) -> Vec<Run<'_>> {
    let in_word = |c: char| c.is_alphanumeric() || is_mark(c);
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (at, c) in text.char_indices() {
        let word = in_word(c);
        if let Some(kind) = current.filter(|kind| *kind != word) {
            runs.push(Run {
                text: &text[start..at],
                word: kind,
            });
            start = at;
        }
        current = Some(word);
    }
    if let Some(word) = current {
        runs.push(Run {
            text: &text[start..],
            word,
        });
    }
    runs
}

/// Whether `c` is a combining mark, which belongs to the word it follows.
fn is_mark(c: char) -> bool {
    govgraph_entities::node::is_diacritic(c)
}

/// `text` cut into fragments, each word the search matches highlighted, the rest joined.
pub fn fragments(text: &str, search: &Search) -> Vec<Fragment> {
    let pieces: Vec<(&str, bool)> = runs(text)
        .into_iter()
        .map(|run| {
            let matched = run.word && words(run.text).iter().any(|word| search.matches(word));
            (run.text, matched)
        })
        .collect();
    join(&pieces)
}

/// Fragments of `pieces`, neighbours that are both plain joined into one.
fn join(pieces: &[(&str, bool)]) -> Vec<Fragment> {
    let mut fragments: Vec<Fragment> = Vec::new();
    for (text, highlighted) in pieces {
        match fragments.last_mut() {
            Some(last) if !last.highlighted && !highlighted => last.text.push_str(text),
            _ => fragments.push(Fragment {
                text: (*text).to_owned(),
                highlighted: *highlighted,
            }),
        }
    }
    fragments
}

fn any_highlighted(fragments: &[Fragment]) -> bool {
    fragments.iter().any(|fragment| fragment.highlighted)
}

/// How many words of a summary a snippet shows before the first matched word, and in all.
const WORDS_BEFORE: usize = 6;
const WORDS_IN_SNIPPET: usize = 24;

/// The part of `text` around the first word the search matches: up to [`WORDS_IN_SNIPPET`]
/// words, an ellipsis where the text is cut.
fn window(text: &str, search: &Search) -> Vec<Fragment> {
    let runs = runs(text);
    let matched: Vec<bool> = runs
        .iter()
        .map(|run| run.word && words(run.text).iter().any(|word| search.matches(word)))
        .collect();
    let word_at: Vec<usize> = runs
        .iter()
        .enumerate()
        .filter(|(_, run)| run.word)
        .map(|(index, _)| index)
        .collect();
    let Some(first) = word_at.iter().position(|index| matched[*index]) else {
        return fragments(text, search);
    };
    let from_word = first.saturating_sub(WORDS_BEFORE);
    let to_word = (from_word + WORDS_IN_SNIPPET).min(word_at.len());
    let from = if from_word == 0 {
        0
    } else {
        word_at[from_word]
    };
    let to = if to_word == word_at.len() {
        runs.len()
    } else {
        word_at[to_word - 1] + 1
    };
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    if from > 0 {
        pieces.push(("…", false));
    }
    pieces.extend((from..to).map(|index| (runs[index].text, matched[index])));
    if to < runs.len() {
        pieces.push(("…", false));
    }
    join(&pieces)
}

/// The snippet of a hit: its name when a matched word is in it; else the part of its summary
/// around the first matched word; else its name followed by the code or other name the search
/// matched, in parentheses (`United Kingdom (UK)`). `codes` and `aliases` are the node's codes
/// and other names, each list joined by `; `.
pub fn snippet(
    name: &str,
    summary: Option<&str>,
    codes: &str,
    aliases: &str,
    search: &Search,
) -> Vec<Fragment> {
    let named = fragments(name, search);
    if any_highlighted(&named) {
        return named;
    }
    if let Some(summary) = summary {
        let summarised = window(summary, search);
        if any_highlighted(&summarised) {
            return summarised;
        }
    }
    let other_names = codes.split("; ").chain(aliases.split("; "));
    for other in other_names.filter(|other| !other.is_empty()) {
        let found = fragments(other, search);
        if any_highlighted(&found) {
            let mut pieces = named;
            pieces.push(Fragment {
                text: " (".to_owned(),
                highlighted: false,
            });
            pieces.extend(found);
            pieces.push(Fragment {
                text: ")".to_owned(),
                highlighted: false,
            });
            let pieces: Vec<(&str, bool)> = pieces
                .iter()
                .map(|fragment| (fragment.text.as_str(), fragment.highlighted))
                .collect();
            return join(&pieces);
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(text: &str) -> Search {
        Search::new(text, &[]).expect("a valid search")
    }

    fn shown(fragments: &[Fragment]) -> String {
        fragments
            .iter()
            .map(|f| match f.highlighted {
                true => format!("[{}]", f.text),
                false => f.text.clone(),
            })
            .collect()
    }

    #[test]
    fn words_are_folded_runs_of_letters_and_digits() {
        assert_eq!(words("  São Tomé & Príncipe "), ["sao", "tome", "principe"]);
        assert_eq!(
            words("\"AND\" OR NEAR(a b)*^:-%_"),
            ["and", "or", "near", "a", "b"]
        );
        assert_eq!(words("'); DROP TABLE node; --"), ["drop", "table", "node"]);
        assert!(words(" \t*^ 😀 ").is_empty());
    }

    #[test]
    fn only_the_last_word_is_a_prefix_and_only_when_the_text_ends_in_it() {
        let typed = search("united king");
        assert!(typed.prefix && typed.matches("kingdom") && typed.matches("united"));
        assert!(!typed.matches("unitedly"));
        assert!(!search("united king ").matches("kingdom"));
    }

    #[test]
    fn long_texts_and_texts_of_many_words_are_refused() {
        assert!(Search::new(&"a".repeat(MAX_TEXT_CHARS + 1), &[]).is_err());
        let many: Vec<String> = (0..=MAX_WORDS).map(|n| format!("w{n}")).collect();
        assert!(Search::new(&many.join(" "), &[]).is_err());
        assert!(Search::new(&"again ".repeat(30), &[]).is_ok());
    }

    #[test]
    fn the_matched_words_of_a_name_are_highlighted_as_written() {
        let hit = snippet(
            "São Tomé & Príncipe",
            None,
            "ST; STP",
            "",
            &search("sao tom"),
        );
        assert_eq!(shown(&hit), "[São] [Tomé] & Príncipe");
    }

    #[test]
    fn a_summary_is_cut_around_its_first_matched_word() {
        let summary = "one two three four five six seven eight nine ten eleven twelve thirteen \
                       fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone \
                       twentytwo twentythree twentyfour twentyfive twentysix zebra end";
        let hit = snippet("Name", Some(summary), "", "", &search("zebra"));
        let text = shown(&hit);
        assert!(
            text.starts_with('…') && text.ends_with("[zebra] end"),
            "{text}"
        );
    }

    #[test]
    fn a_match_in_a_code_shows_the_name_and_the_code() {
        let hit = snippet(
            "United Kingdom",
            None,
            "GB; GBR; UK",
            "United Kingdom of Great Britain and Northern Ireland",
            &search("uk"),
        );
        assert_eq!(shown(&hit), "United Kingdom ([UK])");
    }
}
