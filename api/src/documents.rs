//! Parsed documents of the queries clients send again and again.
//!
//! Dashboards send the same few documents all day. Parsing one costs more than copying its
//! parse, so each document short enough to be a dashboard's is parsed once and kept, up to a
//! bounded number; execution still validates every request against the schema.

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;
use quick_cache::sync::Cache;

/// Documents longer than this are parsed every time: they are not a dashboard's.
const LONGEST: usize = 16 * 1024;

/// How many parsed documents are kept.
const KEPT: usize = 512;

/// A bounded cache of parsed documents, keyed by their text.
pub struct Documents(Cache<String, ExecutableDocument>);

impl Default for Documents {
    fn default() -> Self {
        Self(Cache::new(KEPT))
    }
}

impl Documents {
    /// Gives `request` the parse of its document: a kept one, or a new one that is then kept.
    /// A document that does not parse is left for execution to report.
    pub fn prepare(&self, request: &mut Request) {
        if request.query.len() > LONGEST {
            return;
        }
        if let Some(document) = self.0.get(request.query.as_str()) {
            request.set_parsed_query(document);
            return;
        }
        if let Ok(document) = request.parsed_query() {
            let document = document.clone();
            self.0.insert(request.query.clone(), document);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_parsed_once_and_reused() {
        let documents = Documents::default();
        let mut first = Request::new("{ countries(first: 1) { totalCount } }");
        documents.prepare(&mut first);
        assert_eq!(documents.0.len(), 1);
        let mut second = Request::new("{ countries(first: 1) { totalCount } }");
        documents.prepare(&mut second);
        assert_eq!(documents.0.len(), 1);
        let parsed = second.parsed_query().map(|d| d.operations.iter().count());
        assert_eq!(parsed.ok(), Some(1));
    }

    #[test]
    fn documents_that_do_not_parse_or_are_too_long_are_not_kept() {
        let documents = Documents::default();
        documents.prepare(&mut Request::new("{ countries("));
        let long = format!(
            "{{ countries(first: 1) {{ totalCount }} }}{}",
            " ".repeat(LONGEST)
        );
        documents.prepare(&mut Request::new(long));
        assert_eq!(documents.0.len(), 0);
    }
}
