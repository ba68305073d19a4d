//! Pages of ordered lists: which rows a page takes (its size, its end, its cursors), and where
//! the page sits in its list once fetched.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest `first` or `last` a page may have.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Why page arguments were refused; the message says how to fix them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageError(pub String);

/// At most 40 characters of client text, for messages.
pub fn truncate(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A position in an ordered list: the order it belongs to, the sort key of a row, and its id
/// as the tie-breaker.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// The order of the list the cursor was taken from, e.g. `NameAsc`.
    pub order: String,
    /// The row's sort key.
    pub key: String,
    /// The row's id.
    pub id: Uuid,
}

impl Cursor {
    /// The opaque form clients see.
    pub fn encode(&self) -> String {
        let json = serde_json::json!([self.order, self.key, self.id]);
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    /// Parses a cursor a client sent.
    pub fn decode(cursor: &str) -> Result<Self, PageError> {
        let malformed = || {
            PageError(format!(
                "`{}` is not a cursor of this connection; use a `cursor` or `pageInfo` value it returned",
                truncate(cursor)
            ))
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.as_bytes())
            .map_err(|_| malformed())?;
        let (order, key, id): (String, String, Uuid) =
            serde_json::from_slice(&bytes).map_err(|_| malformed())?;
        Ok(Self { order, key, id })
    }
}

/// Validated pagination arguments: how many rows, from which end, between which cursors.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Page {
    /// Rows to return.
    pub limit: u64,
    /// Whether the page is taken from the end (`last`) rather than the start (`first`).
    pub backward: bool,
    /// Only rows after this cursor.
    pub after: Option<Cursor>,
    /// Only rows before this cursor.
    pub before: Option<Cursor>,
}

/// Where a page sits in its list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Whether rows follow this page. With `last`, true exactly when `before` was given.
    pub has_next_page: bool,
    /// Whether rows precede this page. With `first`, true exactly when `after` was given.
    pub has_previous_page: bool,
    /// The cursor of the first row of the page.
    pub start_cursor: Option<String>,
    /// The cursor of the last row of the page.
    pub end_cursor: Option<String>,
}

impl Page {
    /// Checks Relay arguments: `first` and `last` are exclusive, each in 1..=100.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Self, PageError> {
        let size = |name: &str, value: i32| {
            u64::try_from(value)
                .ok()
                .filter(|v| (1..=MAX_PAGE_SIZE).contains(v))
                .ok_or_else(|| {
                    PageError(format!(
                        "`{name}` must be between 1 and {MAX_PAGE_SIZE}, not {value}"
                    ))
                })
        };
        let (limit, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(PageError(
                    "give `first` or `last`, not both: a page is taken from one end".to_owned(),
                ));
            }
            (Some(first), None) => (size("first", first)?, false),
            (None, Some(last)) => (size("last", last)?, true),
            (None, None) => (DEFAULT_PAGE_SIZE, false),
        };
        Ok(Self {
            limit,
            backward,
            after: after.as_deref().map(Cursor::decode).transpose()?,
            before: before.as_deref().map(Cursor::decode).transpose()?,
        })
    }

    /// Checks that the page's cursors were taken from a list in `order`: a cursor of another
    /// order would silently start the page in the wrong place.
    pub fn check_order(&self, order: &str) -> Result<(), PageError> {
        for cursor in self.after.iter().chain(&self.before) {
            if cursor.order != order {
                return Err(PageError(format!(
                    "this cursor comes from a list in another order ({}); use a cursor of this list",
                    cursor.order
                )));
            }
        }
        Ok(())
    }

    /// Cuts the rows fetched for this page (at most `limit + 1`, in fetch order) down to the
    /// page, in list order, and says what lies beyond it.
    pub fn cut<T>(
        &self,
        mut rows: Vec<T>,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> (Vec<(Cursor, T)>, Window) {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(usize::try_from(self.limit).unwrap_or(usize::MAX));
        if self.backward {
            rows.reverse();
        }
        let rows: Vec<(Cursor, T)> = rows.into_iter().map(|row| (cursor_of(&row), row)).collect();
        let window = Window {
            has_next_page: if self.backward {
                self.before.is_some()
            } else {
                more
            },
            has_previous_page: if self.backward {
                more
            } else {
                self.after.is_some()
            },
            start_cursor: rows.first().map(|(c, _)| c.encode()),
            end_cursor: rows.last().map(|(c, _)| c.encode()),
        };
        (rows, window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_outside_one_to_a_hundred_are_refused() {
        for (first, last) in [
            (Some(0), None),
            (Some(101), None),
            (None, Some(-1)),
            (Some(5), Some(5)),
        ] {
            assert!(
                Page::new(first, None, last, None).is_err(),
                "{first:?} {last:?}"
            );
        }
        assert_eq!(
            Page::new(None, None, None, None).map(|p| p.limit).ok(),
            Some(DEFAULT_PAGE_SIZE)
        );
    }

    #[test]
    fn a_backward_page_is_returned_in_list_order() {
        let page = Page::new(None, None, Some(2), None).expect("valid");
        let cursor = |n: &u8| Cursor {
            order: "NameAsc".to_owned(),
            key: n.to_string(),
            id: Uuid::nil(),
        };
        let (rows, window) = page.cut(vec![9u8, 8, 7], cursor);
        assert_eq!(rows.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![8, 9]);
        assert!(window.has_previous_page);
        assert!(!window.has_next_page);
    }

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let cursor = Cursor {
            order: "NameAsc".to_owned(),
            key: "Singapore".to_owned(),
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        assert!(Cursor::decode("nonsense").is_err());
    }
}
