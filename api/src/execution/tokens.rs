//! Counting a document's lexical tokens before parsing it, so that the parse of a document is
//! bounded by a limit rather than by the body size.
//!
//! Tokens are counted as the spec's lexer reads them: punctuators, names, numbers and strings;
//! white space, commas and comments are not tokens.

/// The number of tokens of `document`, or `None` once it exceeds `max`.
pub fn count(document: &str, max: usize) -> Option<usize> {
    let bytes = document.as_bytes();
    let mut at = 0;
    let mut tokens = 0usize;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                at += 1;
                continue;
            }
            b'#' => {
                while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') {
                    at += 1;
                }
                continue;
            }
            b'"' if bytes[at..].starts_with(b"\"\"\"") => {
                at += 3;
                while at < bytes.len() && !bytes[at..].starts_with(b"\"\"\"") {
                    at += if bytes[at..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                at += 3;
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && !matches!(bytes[at], b'"' | b'\n' | b'\r') {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
            }
            b'.' if bytes[at..].starts_with(b"...") => at += 3,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while at < bytes.len()
                    && matches!(bytes[at], b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9')
                {
                    at += 1;
                }
            }
            b'-' | b'0'..=b'9' => {
                at += 1;
                while at < bytes.len()
                    && matches!(bytes[at], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    at += 1;
                }
            }
            // A byte order mark is white space.
            0xEF if bytes[at..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                at += 3;
                continue;
            }
            // Punctuators, and anything else, which the parser will refuse, one at a time.
            _ => at += 1,
        }
        tokens += 1;
        if tokens > max {
            return None;
        }
    }
    Some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_punctuators_values_and_strings_are_tokens_and_the_rest_is_not() {
        assert_eq!(count("{ a }", 100), Some(3));
        assert_eq!(
            count("query Q($n: Int = 10) { a(first: $n, s: \"x y\") }", 100),
            Some(22)
        );
        assert_eq!(count("# a comment { }\n{ a, b }", 100), Some(4));
        assert_eq!(
            count("{ a(s: \"\"\"block \\\"\"\" more\"\"\") }", 100),
            Some(8)
        );
        assert_eq!(count("{ ...F } fragment F on Q { a }", 100), Some(11));
        assert_eq!(count("{ a(n: -1.5e3) }", 100), Some(8));
    }

    #[test]
    fn counting_stops_past_the_limit() {
        let long = "{ a }".repeat(1_000_000);
        assert_eq!(count(&long, 10), None);
        assert_eq!(count("{ a }", 3), Some(3));
        assert_eq!(count("{ a b }", 3), None);
    }

    #[test]
    fn unterminated_strings_end_the_count_without_panicking() {
        assert_eq!(count("{ a(s: \"open", 100), Some(6));
        assert_eq!(count("\"\"\"open", 100), Some(1));
        assert_eq!(count("\"\\", 100), Some(1));
    }
}
