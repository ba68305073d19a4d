//! Apollo's automatic persisted queries: a client sends the SHA-256 of its document in
//! `extensions.persistedQuery` instead of the document. The first time, the service answers
//! `PERSISTED_QUERY_NOT_FOUND`; the client sends the document with its hash once, the service
//! checks the hash and keeps the document under it, and from then on the hash alone will do,
//! in a `POST` body or in a `GET` URL that HTTP caches can keep.

use std::sync::Arc;

use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

/// How many documents are kept by their hash; the least used go first.
const KEPT: usize = 4096;

/// The SHA-256 of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DocumentHash([u8; 32]);

impl DocumentHash {
    /// The hash of `document`, as its UTF-8 bytes.
    pub fn of(document: &str) -> Self {
        Self::of_bytes(document.as_bytes())
    }

    /// The hash of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Reads 64 hexadecimal digits, in either case.
    pub fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// The bytes of the hash.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first `bytes` bytes of the hash in lower-case hexadecimal.
    pub fn hex(&self, bytes: usize) -> String {
        self.0
            .iter()
            .take(bytes)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// Why a persisted query could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Only a hash was sent, of a document not kept: send the document with it.
    NotFound,
    /// The document sent is not the one the hash names.
    Mismatch,
}

/// Reads `extensions.persistedQuery` of a request: `Ok(None)` when there is none, the hash
/// when it is `{ "version": 1, "sha256Hash": "<64 hex digits>" }`, and a message otherwise.
pub fn requested(extensions: Option<&serde_json::Value>) -> Result<Option<DocumentHash>, String> {
    let Some(persisted) = extensions.and_then(|extensions| extensions.get("persistedQuery")) else {
        return Ok(None);
    };
    let malformed = || {
        "`extensions.persistedQuery` must be { \"version\": 1, \"sha256Hash\": \"<the document's \
         SHA-256 in 64 hexadecimal digits>\" }"
            .to_owned()
    };
    match persisted.get("version").and_then(serde_json::Value::as_u64) {
        Some(1) => {}
        Some(version) => {
            return Err(format!(
                "persisted queries of version {version} are not supported; send version 1"
            ));
        }
        None => return Err(malformed()),
    }
    persisted
        .get("sha256Hash")
        .and_then(serde_json::Value::as_str)
        .and_then(DocumentHash::parse)
        .map(Some)
        .ok_or_else(malformed)
}

/// The documents kept by their hash.
pub struct PersistedQueries(Cache<DocumentHash, Arc<str>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self(Cache::new(KEPT))
    }
}

impl PersistedQueries {
    /// The document of a request that named one by `hash`: `query`, once it is checked
    /// against the hash and kept under it; or, when the request sent no document, the one
    /// kept under the hash.
    pub fn resolve(&self, hash: DocumentHash, query: Option<String>) -> Result<String, Refused> {
        match query {
            Some(query) => {
                if DocumentHash::of(&query) != hash {
                    return Err(Refused::Mismatch);
                }
                if self.0.get(&hash).is_none() {
                    self.0.insert(hash, Arc::from(query.as_str()));
                }
                Ok(query)
            }
            None => self
                .0
                .get(&hash)
                .map(|query| query.to_string())
                .ok_or(Refused::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOCUMENT: &str = "{ __typename }";

    fn hex(hash: &DocumentHash) -> String {
        hash.hex(32)
    }

    #[test]
    fn a_hash_is_read_in_either_case_and_anything_else_is_refused() {
        let hash = DocumentHash::of(DOCUMENT);
        assert_eq!(DocumentHash::parse(&hex(&hash)), Some(hash));
        assert_eq!(DocumentHash::parse(&hex(&hash).to_uppercase()), Some(hash));
        assert_eq!(DocumentHash::parse("abc"), None);
        assert_eq!(DocumentHash::parse(&"g".repeat(64)), None);
        assert_eq!(DocumentHash::parse(&"é".repeat(32)), None);
    }

    #[test]
    fn only_version_one_with_a_hash_is_a_persisted_query() {
        let hash = DocumentHash::of(DOCUMENT);
        let asked =
            |persisted: serde_json::Value| requested(Some(&json!({ "persistedQuery": persisted })));
        assert_eq!(
            asked(json!({ "version": 1, "sha256Hash": hex(&hash) })),
            Ok(Some(hash))
        );
        assert!(asked(json!({ "version": 2, "sha256Hash": hex(&hash) })).is_err());
        assert!(asked(json!({ "version": 1 })).is_err());
        assert!(asked(json!("yes")).is_err());
        assert_eq!(requested(None), Ok(None));
        assert_eq!(requested(Some(&json!({ "other": 1 }))), Ok(None));
    }

    #[test]
    fn a_document_is_kept_once_its_hash_is_checked_and_then_found_by_it() {
        let kept = PersistedQueries::default();
        let hash = DocumentHash::of(DOCUMENT);
        assert_eq!(kept.resolve(hash, None), Err(Refused::NotFound));
        assert_eq!(
            kept.resolve(hash, Some("{ other }".to_owned())),
            Err(Refused::Mismatch)
        );
        assert_eq!(kept.resolve(hash, None), Err(Refused::NotFound));
        assert_eq!(
            kept.resolve(hash, Some(DOCUMENT.to_owned())),
            Ok(DOCUMENT.to_owned())
        );
        assert_eq!(kept.resolve(hash, None), Ok(DOCUMENT.to_owned()));
    }
}
