//! What is wrong with a data file, and where: each problem names its file, line, column and
//! field, as compilers do, so that an editor can jump to it.

use std::fmt;
use std::ops::Range;

/// A place in a data file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    /// The file, as it was named on the command line.
    pub file: String,
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One thing wrong with a data file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Where it is.
    pub place: Place,
    /// The entry and field at fault, e.g. `node[3] (event:dgx-2023).starts_on`; empty for the
    /// file as a whole.
    pub field: String,
    /// What is wrong, for people.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.place, self.message)
        } else {
            write!(f, "{}: {}: {}", self.place, self.field, self.message)
        }
    }
}

/// Every problem found in a set of files, in file and line order.
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// The problems in file and line order; `Err` when there is any.
    pub fn into_result(mut self) -> Result<(), Problems> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort();
        self.0.dedup();
        Err(self)
    }

    /// The problems, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, problem) in self.0.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets of one file into lines and columns.
#[derive(Clone, Debug)]
pub struct Lines {
    file: String,
    starts: Vec<usize>,
}

impl Lines {
    /// The line starts of `text`, named `file` in problems.
    pub fn new(file: &str, text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self {
            file: file.to_owned(),
            starts,
        }
    }

    /// The place of byte `offset` in `text` (the text these lines were made from).
    pub fn place(&self, text: &str, offset: usize) -> Place {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = text
            .get(start..offset)
            .map_or(offset - start, |before| before.chars().count())
            + 1;
        Place {
            file: self.file.clone(),
            line,
            column,
        }
    }

    /// The place of the start of `span`.
    pub fn place_of(&self, text: &str, span: &Range<usize>) -> Place {
        self.place(text, span.start)
    }

    /// The first place in the file.
    pub fn start(&self) -> Place {
        Place {
            file: self.file.clone(),
            line: 1,
            column: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns_counted_in_characters() {
        let text = "a = 1\nname = \"João\"\nb = 2\n";
        let lines = Lines::new("f.toml", text);
        assert_eq!(lines.place(text, 0).to_string(), "f.toml:1:1");
        let b = text.find("b =").expect("b");
        assert_eq!(lines.place(text, b).to_string(), "f.toml:3:1");
        let quote = text.rfind('"').expect("quote");
        assert_eq!(lines.place(text, quote).to_string(), "f.toml:2:13");
    }
}
