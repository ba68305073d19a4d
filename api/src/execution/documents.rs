//! Parsed documents of the queries clients send again and again.
//!
//! Dashboards send the same few documents all day. Parsing one costs more than sharing its
//! parse, so each document is parsed once and kept, up to a bounded number; every request is
//! still measured and validated against the schema.

use std::sync::Arc;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::registry::Registry;
use quick_cache::sync::Cache;

use super::ordering;

/// How many parsed documents are kept.
const KEPT: usize = 512;

/// A parsed document, as the client wrote it and as it is executed.
#[derive(Debug)]
pub struct Prepared {
    /// The document as the client wrote it.
    pub document: ExecutableDocument,
    /// The document as it is executed: with the type field of [`ordering`] in every object.
    pub executable: ExecutableDocument,
    /// Whether a `@skip` or `@include` of the document depends on a variable.
    pub conditional: bool,
}

impl Prepared {
    /// Parses `query`, a document for the schema of `registry`; the error is the parser's.
    pub fn parse(query: &str, registry: &Registry) -> Result<Self, async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_query(query)?;
        let executable = ordering::with_type_fields(&document, registry);
        Ok(Self {
            conditional: ordering::has_variable_conditions(&document),
            document,
            executable,
        })
    }

    /// The type and name of the operation `requested` selects, if the document has it.
    pub fn operation(&self, requested: Option<&str>) -> Option<(OperationType, Option<&str>)> {
        match (&self.document.operations, requested) {
            (DocumentOperations::Single(operation), _) => Some((operation.node.ty, None)),
            (DocumentOperations::Multiple(operations), Some(requested)) => operations
                .get_key_value(requested)
                .map(|(name, operation)| (operation.node.ty, Some(name.as_str()))),
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
                .iter()
                .next()
                .map(|(name, operation)| (operation.node.ty, Some(name.as_str()))),
            (DocumentOperations::Multiple(_), None) => None,
        }
    }
}

/// A bounded cache of parsed documents, keyed by their text.
pub struct Documents(Cache<String, Arc<Prepared>>);

impl Default for Documents {
    fn default() -> Self {
        Self(Cache::new(KEPT))
    }
}

impl Documents {
    /// The parse of `query`, a document for the schema of `registry`: a kept one, or a new one
    /// that is then kept.
    pub fn prepare(
        &self,
        query: &str,
        registry: &Registry,
    ) -> Result<Arc<Prepared>, async_graphql::parser::Error> {
        if let Some(prepared) = self.0.get(query) {
            return Ok(prepared);
        }
        let prepared = Arc::new(Prepared::parse(query, registry)?);
        self.0.insert(query.to_owned(), prepared.clone());
        Ok(prepared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> async_graphql::SchemaEnv {
        crate::graph::schema_env().expect("the registry")
    }

    #[test]
    fn a_document_is_parsed_once_and_reused() {
        let env = registry();
        let documents = Documents::default();
        let first = documents
            .prepare("{ countries(first: 1) { totalCount } }", &env.registry)
            .expect("parses");
        let second = documents
            .prepare("{ countries(first: 1) { totalCount } }", &env.registry)
            .expect("parses");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(documents.0.len(), 1);
    }

    #[test]
    fn documents_that_do_not_parse_are_not_kept() {
        let env = registry();
        let documents = Documents::default();
        assert!(documents.prepare("{ countries(", &env.registry).is_err());
        assert_eq!(documents.0.len(), 0);
    }

    #[test]
    fn the_operation_is_found_by_name_or_alone() {
        let env = registry();
        let prepared = Prepared::parse("query A { __typename } mutation B { x }", &env.registry)
            .expect("parses");
        assert_eq!(
            prepared.operation(Some("B")),
            Some((OperationType::Mutation, Some("B")))
        );
        assert_eq!(prepared.operation(None), None);
        assert_eq!(prepared.operation(Some("C")), None);
        let single = Prepared::parse("{ __typename }", &env.registry).expect("parses");
        assert_eq!(single.operation(None), Some((OperationType::Query, None)));
    }
}
