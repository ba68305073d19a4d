//! Reading data files: bytes to entries, each with the place of its fields, or every problem
//! with the file's syntax and shape.

use std::io::Read as _;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::format::{CitationEntry, EdgeEntry, NodeEntry, SourceEntry};
use crate::problems::{Lines, Place, Problem, Problems};

/// The most bytes a TOML data file may hold. Reviewed files are far smaller; a graph this
/// large is better split by community or source.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// An entry of a data file and where it and each of its fields are.
#[derive(Clone, Debug)]
pub struct Located<T> {
    /// The entry.
    pub entry: T,
    /// Where the entry starts.
    pub place: Place,
    fields: Vec<(String, Place)>,
}

impl<T> Located<T> {
    /// An entry all of whose fields are at `place` (as in a file made by a program).
    pub fn at(entry: T, place: Place) -> Self {
        Self {
            entry,
            place,
            fields: Vec::new(),
        }
    }

    /// Where `field` is written, or the entry's place when it is not.
    pub fn field(&self, field: &str) -> Place {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map_or_else(|| self.place.clone(), |(_, place)| place.clone())
    }
}

/// A data file, read.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    /// The file's name, as problems name it.
    pub name: String,
    /// The file's `cites`, and where it is.
    pub cites: Option<Located<String>>,
    /// Its `[[source]]` entries.
    pub sources: Vec<Located<SourceEntry>>,
    /// Its `[[node]]` entries.
    pub nodes: Vec<Located<NodeEntry>>,
    /// Its `[[edge]]` entries.
    pub edges: Vec<Located<EdgeEntry>>,
}

/// Reads the file at `path`: at most [`MAX_FILE_BYTES`], UTF-8, TOML of the data-file shape.
pub fn read_file(path: &Path) -> Result<ParsedFile, Problems> {
    let name = path.display().to_string();
    let whole = |message: String| {
        Problems(vec![Problem {
            place: Place {
                file: name.clone(),
                line: 1,
                column: 1,
            },
            field: String::new(),
            message,
        }])
    };
    let file = std::fs::File::open(path).map_err(|error| whole(format!("cannot open: {error}")))?;
    let size = file
        .metadata()
        .map_err(|error| whole(format!("cannot read: {error}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(whole(too_large(size)));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| whole(format!("cannot read: {error}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole(too_large(bytes.len() as u64)));
    }
    parse_bytes(&name, &bytes)
}

fn too_large(size: u64) -> String {
    format!(
        "the file holds {size} bytes, more than the {MAX_FILE_BYTES} a data file may: split it, by \
         community or by source"
    )
}

/// Parses `bytes` as the data file named `name`.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<ParsedFile, Problems> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_text(name, text),
        Err(error) => {
            let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let lines = Lines::new(name, text);
            Err(Problems(vec![Problem {
                place: lines.place(text, text.len()),
                field: String::new(),
                message: format!(
                    "the file is not UTF-8: byte {} is not part of a UTF-8 character; save it as \
                     UTF-8",
                    error.valid_up_to()
                ),
            }]))
        }
    }
}

/// Parses `text` as the data file named `name`, finding every problem of syntax and shape.
pub fn parse_text(name: &str, text: &str) -> Result<ParsedFile, Problems> {
    let lines = Lines::new(name, text);
    let mut problems = Problems::default();
    let (root, errors) = DeTable::parse_recoverable(text);
    for error in &errors {
        problems.push(Problem {
            place: error
                .span()
                .map_or_else(|| lines.start(), |span| lines.place_of(text, &span)),
            field: String::new(),
            message: format!("not valid TOML: {}", error.message()),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut file = ParsedFile {
        name: name.to_owned(),
        ..ParsedFile::default()
    };
    let reader = Reader {
        text,
        lines: &lines,
    };
    for (key, value) in root.get_ref().iter() {
        let place = lines.place_of(text, &key.span());
        match key.get_ref().as_ref() {
            "cites" => match value.get_ref() {
                DeValue::String(cites) => {
                    file.cites = Some(Located::at(cites.to_string(), place));
                }
                _ => problems.push(Problem {
                    place,
                    field: "cites".to_owned(),
                    message: "must be a string: `source:slug`".to_owned(),
                }),
            },
            "source" => file.sources = reader.entries("source", value, &mut problems),
            "node" => file.nodes = reader.entries("node", value, &mut problems),
            "edge" => file.edges = reader.entries("edge", value, &mut problems),
            other => problems.push(Problem {
                place,
                field: other.to_owned(),
                message: "unknown key: a data file holds `cites`, `[[source]]`, `[[node]]` and \
                          `[[edge]]`"
                    .to_owned(),
            }),
        }
    }
    problems.into_result().map(|()| file)
}

struct Reader<'a> {
    text: &'a str,
    lines: &'a Lines,
}

impl Reader<'_> {
    /// The entries of the array of tables `key`, each deserialized on its own so that every
    /// entry's problems are found.
    fn entries<T: DeserializeOwned>(
        &self,
        key: &str,
        value: &toml::Spanned<DeValue<'_>>,
        problems: &mut Problems,
    ) -> Vec<Located<T>> {
        let Some(items) = value.get_ref().as_array() else {
            problems.push(Problem {
                place: self.lines.place_of(self.text, &value.span()),
                field: key.to_owned(),
                message: format!("must be an array of tables: `[[{key}]]`"),
            });
            return Vec::new();
        };
        let mut entries = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let place = self.lines.place_of(self.text, &item.span());
            let fields = match item.get_ref().as_table() {
                Some(table) => table
                    .iter()
                    .map(|(name, _)| {
                        (
                            name.get_ref().to_string(),
                            self.lines.place_of(self.text, &name.span()),
                        )
                    })
                    .collect(),
                None => Vec::new(),
            };
            match T::deserialize(ValueDeserializer::from(item.clone())) {
                Ok(entry) => entries.push(Located {
                    entry,
                    place,
                    fields,
                }),
                Err(error) => problems.push(Problem {
                    place: error
                        .span()
                        .map_or(place, |span| self.lines.place_of(self.text, &span)),
                    field: format!("{key} #{}", index + 1),
                    message: error.message().trim().to_owned(),
                }),
            }
        }
        entries
    }
}

/// Every citation of a node or edge entry: its `citations`, and its `excerpt` as a citation
/// of its own `cites` or the file's. An entry that names no citation at all cites the file's
/// `cites` without words, as a data set states a fact.
pub fn citations_of(
    excerpt: Option<&String>,
    cites: Option<&String>,
    citations: &[CitationEntry],
    file_cites: Option<&str>,
) -> Vec<CitationEntry> {
    let mut all = Vec::with_capacity(citations.len() + 1);
    let shorthand = excerpt.is_some() || cites.is_some() || citations.is_empty();
    if shorthand && let Some(source) = cites.map(String::as_str).or(file_cites) {
        all.push(CitationEntry {
            source: source.to_owned(),
            excerpt: excerpt.cloned(),
        });
    }
    all.extend(citations.iter().cloned());
    all
}
