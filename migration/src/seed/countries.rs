//! Every ISO 3166-1 country, from the `keshvar` crate.

use govgraph_entities::NodeKind;
use keshvar::CountryIterator;

use govgraph_entities::Detail;

use super::{SeedNode, SourceRef};

/// The source that states the countries and their codes.
pub(super) const ISO_3166_SOURCE: &str = "iso-3166-1";

/// A source node for ISO 3166-1 itself.
pub(super) fn iso_source() -> super::file::SourceEntry {
    super::file::SourceEntry {
        slug: ISO_3166_SOURCE.to_owned(),
        name: "ISO 3166-1 country codes".to_owned(),
        summary: Some(
            "The international standard for country codes: alpha-2, alpha-3 and numeric."
                .to_owned(),
        ),
        source_kind: "DATASET".to_owned(),
        url: Some("https://www.iso.org/iso-3166-country-codes.html".to_owned()),
        publisher: Some("International Organization for Standardization".to_owned()),
        published: None,
        licence: None,
    }
}

/// One node per ISO 3166-1 country, its slug the lower-case alpha-2 code.
pub(super) fn countries() -> Vec<SeedNode> {
    let mut countries: Vec<SeedNode> = CountryIterator::new()
        .map(|country| {
            let alpha2 = country.alpha2().to_string();
            SeedNode {
                kind: NodeKind::Country,
                slug: alpha2.to_lowercase(),
                name: country.iso_short_name().to_owned(),
                summary: None,
                detail: Detail::Country(govgraph_entities::country::Model {
                    node_id: uuid::Uuid::nil(),
                    kind: NodeKind::Country,
                    alpha2,
                    alpha3: country.alpha3().to_string(),
                    numeric_code: country.number().to_owned(),
                    official_name: country.iso_long_name().to_owned(),
                    region: country.maybe_region().map(|r| r.to_string()),
                    subregion: country.maybe_subregion().map(|r| r.to_string()),
                }),
                cited_by: SourceRef {
                    slug: ISO_3166_SOURCE.to_owned(),
                    excerpt: None,
                },
            }
        })
        .collect();
    countries.sort_by(|a, b| a.slug.cmp(&b.slug));
    countries
}
