//! Content negotiation on `Accept`, as RFC 9110 (section 12.5.1) has it: each media type the
//! server offers takes the quality of the most specific range that matches it (`type/subtype`,
//! then `type/*`, then `*/*`); the offer of highest quality above zero wins, and among equal
//! qualities the one the server lists first.

/// One media range of an `Accept` header, lower case, with its quality.
#[derive(Clone, Debug, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    quality: f32,
}

impl Range {
    /// How specifically the range names `kind/subtype`: 3 for exactly, 2 for `kind/*`, 1 for
    /// `*/*`; `None` when it does not match it.
    fn specificity(&self, kind: &str, subtype: &str) -> Option<u8> {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(1),
            (k, "*") if k == kind => Some(2),
            (k, s) if k == kind && s == subtype => Some(3),
            _ => None,
        }
    }
}

/// The media ranges of `header` (the values of every `Accept` field, joined by commas); a range
/// that does not parse is left out, and a quality that does not parse counts as zero.
fn ranges(header: &str) -> Vec<Range> {
    header
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next()?.to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
                return None;
            }
            let mut quality = 1.0f32;
            for parameter in parts {
                if let Some((name, value)) = parameter.split_once('=')
                    && name.trim().eq_ignore_ascii_case("q")
                {
                    quality = value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .unwrap_or(0.0);
                }
            }
            Some(Range {
                kind: kind.trim().to_owned(),
                subtype: subtype.trim().to_owned(),
                quality,
            })
        })
        .collect()
}

/// The media type of `offers` (`type/subtype`, lower case, in the server's order of
/// preference) that `accept` prefers; `None` when it accepts none of them. No `Accept` (or an
/// empty one) accepts anything: the first offer.
pub fn negotiate<'a>(accept: Option<&str>, offers: &[&'a str]) -> Option<&'a str> {
    let Some(accept) = accept.map(str::trim).filter(|accept| !accept.is_empty()) else {
        return offers.first().copied();
    };
    let ranges = ranges(accept);
    let mut best: Option<(f32, &'a str)> = None;
    for offer in offers {
        let Some((kind, subtype)) = offer.split_once('/') else {
            continue;
        };
        // The most specific matching range decides; of equally specific ones, the highest.
        let quality = ranges
            .iter()
            .filter_map(|range| Some((range.specificity(kind, subtype)?, range.quality)))
            .fold(
                None,
                |found: Option<(u8, f32)>, (specificity, quality)| match found {
                    Some((s, q)) if s > specificity || (s == specificity && q >= quality) => {
                        Some((s, q))
                    }
                    _ => Some((specificity, quality)),
                },
            )
            .map_or(0.0, |(_, quality)| quality);
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, offer));
        }
    }
    best.map(|(_, offer)| offer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERS: [&str; 3] = ["application/ld+json", "application/json", "text/html"];

    #[test]
    fn no_accept_or_anything_gets_the_first_offer() {
        assert_eq!(negotiate(None, &OFFERS), Some("application/ld+json"));
        assert_eq!(negotiate(Some(" "), &OFFERS), Some("application/ld+json"));
        assert_eq!(negotiate(Some("*/*"), &OFFERS), Some("application/ld+json"));
        assert_eq!(
            negotiate(Some("application/*"), &OFFERS),
            Some("application/ld+json")
        );
    }

    #[test]
    fn a_browser_gets_html_and_a_client_its_type() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(negotiate(Some(firefox), &OFFERS), Some("text/html"));
        assert_eq!(
            negotiate(Some("application/json"), &OFFERS),
            Some("application/json")
        );
        assert_eq!(
            negotiate(Some("Application/LD+JSON"), &OFFERS),
            Some("application/ld+json")
        );
    }

    #[test]
    fn qualities_decide_and_the_most_specific_range_sets_them() {
        assert_eq!(
            negotiate(Some("text/html;q=0.5, application/ld+json"), &OFFERS),
            Some("application/ld+json")
        );
        assert_eq!(
            negotiate(Some("text/html, application/ld+json;q=0.9"), &OFFERS),
            Some("text/html")
        );
        // `*/*` would take JSON-LD, but JSON-LD is refused by name.
        assert_eq!(
            negotiate(Some("application/ld+json;q=0, */*"), &OFFERS),
            Some("application/json")
        );
        assert_eq!(
            negotiate(
                Some("application/ld+json;q=0.2, application/json;q=0.4"),
                &OFFERS
            ),
            Some("application/json")
        );
        // Equal qualities: the server's order.
        assert_eq!(
            negotiate(Some("application/json, application/ld+json"), &OFFERS),
            Some("application/ld+json")
        );
    }

    #[test]
    fn nothing_acceptable_is_none() {
        assert_eq!(negotiate(Some("image/png"), &OFFERS), None);
        assert_eq!(negotiate(Some("text/*;q=0, image/*"), &OFFERS), None);
        assert_eq!(negotiate(Some("*/*;q=0"), &OFFERS), None);
        assert_eq!(negotiate(Some("text/html"), &OFFERS[..2]), None);
        assert_eq!(negotiate(Some("application/json;q=x"), &OFFERS), None);
        assert_eq!(negotiate(Some("nonsense, */json"), &OFFERS), None);
    }
}
