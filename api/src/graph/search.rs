//! Search across every kind: the root `search` field, its ranked hits, and their snippets.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};
use govgraph_read::page::Page;
use govgraph_read::search::{self, Fragment, Search};
use govgraph_read::store::{self, SearchHit};

use super::connection::{Connection, Count, EdgeType, page_selected};
use super::filter::vocabulary;
use super::loader::database;
use super::node::{Node, NodeType};
use super::vocabulary::NodeKind;
use crate::error::ApiError;

/// A piece of a snippet: a stretch of a node's text, and whether it is a word the search matched. Joined in order, the fragments give the text as the node has it; show the highlighted ones as you wish, as plain text.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(tag = "public")]
pub struct TextFragment {
    /// The text, exactly as the node has it (accents and case included).
    pub text: String,
    /// Whether this text is a word the search matched.
    pub highlighted: bool,
}

impl From<Fragment> for TextFragment {
    fn from(fragment: Fragment) -> Self {
        Self {
            text: fragment.text,
            highlighted: fragment.highlighted,
        }
    }
}

/// A node a search found, with its score and a snippet showing where it matched.
pub struct SearchEdge {
    cursor: String,
    node: Node,
    score: f64,
    snippet: Vec<TextFragment>,
}

/// A node a search found, with its score and a snippet showing where it matched.
#[Object(tag = "public")]
impl SearchEdge {
    /// Where this hit sits in the ranking; pass it as `after` to the same search.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The node found.
    async fn node(&self) -> &Node {
        &self.node
    }

    /// How well the node matches, from 0 to 2, higher first. Above 1 when every word of the text is one of the node's codes or short names (an ISO 3166-1 code, an acronym, a short name such as `UK`, an external identifier); below 1 otherwise, by how often and where the words occur: in the name above in the codes and other names, above in the summary. Scores compare hits of one search only.
    async fn score(&self) -> f64 {
        self.score
    }

    /// Where the node matched, as fragments of its text with the matched words highlighted: its name when a word matched there; else the part of its summary around the first matched word (`…` where it is cut); else its name followed by the code or other name that matched, in parentheses (`United Kingdom (UK)`). Plain text, never markup.
    async fn snippet(&self) -> &Vec<TextFragment> {
        &self.snippet
    }
}

impl EdgeType for SearchEdge {
    type Node = Node;
    const CONNECTION_DESCRIPTION: &'static str = "One page of the nodes a search found, best first, with the size of the whole list when asked for.";

    fn node(&self) -> &Node {
        &self.node
    }
}

/// A page of search hits.
pub type SearchConnection = Connection<SearchEdge>;

/// The root field of search.
#[derive(Default)]
pub struct SearchQuery;

fn edge(hit: SearchHit, search: &Search, cursor: String) -> Result<SearchEdge, ApiError> {
    let node = &hit.record.node;
    let snippet = search::snippet(
        &node.name,
        node.summary.as_deref(),
        &hit.codes,
        &hit.aliases,
        search,
    );
    Ok(SearchEdge {
        cursor,
        score: hit.score,
        snippet: snippet.into_iter().map(TextFragment::from).collect(),
        node: Node::from_record(Arc::new(hit.record))?,
    })
}

#[Object]
impl SearchQuery {
    /// Nodes of every kind whose name, codes, other names or summary hold every word of `text`, best first.
    ///
    /// Words are runs of letters and digits, matched whatever their case and accents (`joao` finds `João`, `sao tome` finds `São Tomé & Príncipe`); the last word also matches as the start of a longer one (`sing` finds `Singapore`) unless the text ends with a space. Besides its name and summary, a node is found by its codes and short names (a country's ISO 3166-1 alpha-2 and alpha-3 codes and CLDR's short name, so `UK`, `GB` and `GBR` find the United Kingdom, and `US` and `USA` the United States; an organisation's, partnership's or working group's short name or acronym; its external identifiers) and by a country's ISO short and official names. A node all of whose words are among its codes ranks above every other (`UK` puts the United Kingdom before Ukraine).
    ///
    /// Any text is safe: quotes and the operators of search syntaxes (`AND`, `OR`, `NOT`, `NEAR`, `*`, `^`, `:`, `-`, `%`, `_`) are not operators here, only separators or words. A text with no word (empty, spaces, punctuation only) finds nothing: an empty page, `totalCount` 0. A text over 200 characters or of more than 16 different words is `BAD_USER_INPUT`.
    ///
    /// Cost: one SQL statement for the page, and one more for `totalCount` when it is asked for; the fields of the nodes found are batched as everywhere else.
    #[graphql(tag = "public")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The words to look for; at most 200 characters.")] text: String,
        #[graphql(
            desc = "Only nodes of these kinds (at most 100 values; not empty); every kind when not given."
        )]
        kinds: Option<Vec<NodeKind>>,
        #[graphql(desc = "Returns the first `first` hits (1 to 100; 20 when not given).")]
        first: Option<i32>,
        #[graphql(desc = "Returns hits after this cursor, from the same search.")] after: Option<
            String,
        >,
    ) -> Result<SearchConnection, ApiError> {
        let page = Page::new(first, after, None, None)?;
        search::check_cursors(&page)?;
        let kinds: Vec<govgraph_entities::NodeKind> = match kinds {
            Some(kinds) if kinds.is_empty() => {
                return Err(ApiError::bad_input(
                    "`kinds` is empty, so nothing could match; leave it out to search every kind",
                ));
            }
            Some(kinds) => vocabulary("kinds", &kinds)?,
            None => Vec::new(),
        };
        let search = Search::new(&text, &kinds).map_err(|error| ApiError::bad_input(error.0))?;
        let hits = if page_selected(ctx) {
            store::search_nodes(database(ctx)?, &search, &page).await?
        } else {
            Vec::new()
        };
        let (hits, window) = page.cut(hits, |hit| hit.cursor.clone());
        let edges = hits
            .into_iter()
            .map(|(cursor, hit)| edge(hit, &search, cursor.encode()))
            .collect::<Result<_, ApiError>>()?;
        Ok(Connection::of(edges, window.into(), Count::Hits(search)))
    }
}
