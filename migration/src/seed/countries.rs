//! Every ISO 3166-1 country, from the `keshvar` crate, named as people name it in English by
//! CLDR (through ICU4X's compiled data).

use govgraph_entities::{Detail, NodeKind};
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::{DisplayNamesOptions, Style};
use icu_locale_core::locale;
use icu_locale_core::subtags::Region;
use keshvar::{Country, CountryIterator};

use super::{SeedError, SeedNode, SourceRef};

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

/// How a country is named: CLDR's English name and its short form, and ISO 3166-1's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryNames {
    /// The ISO 3166-1 alpha-2 code, e.g. `GB`.
    pub alpha2: String,
    /// CLDR's English name, e.g. `United Kingdom`; ISO's short name where CLDR has none.
    pub name: String,
    /// CLDR's short English name where it differs from `name`, e.g. `UK`.
    pub short_name: Option<String>,
    /// The ISO short name, e.g. `United Kingdom of Great Britain and Northern Ireland`.
    pub iso_name: String,
}

/// CLDR's English names of regions, in their default and short forms.
struct Cldr {
    names: RegionDisplayNames,
    short_names: RegionDisplayNames,
}

impl Cldr {
    fn load() -> Result<Self, SeedError> {
        let load = |style: Option<Style>| {
            let mut options = DisplayNamesOptions::default();
            options.style = style;
            RegionDisplayNames::try_new(locale!("en").into(), options).map_err(|error| {
                SeedError::Invalid {
                    entry: "country names".to_owned(),
                    problem: format!("CLDR's English region names do not load: {error}"),
                }
            })
        };
        Ok(Self {
            names: load(None)?,
            short_names: load(Some(Style::Short))?,
        })
    }

    fn names_of(&self, country: &Country) -> CountryNames {
        let alpha2 = country.alpha2().to_string();
        let iso_name = country.iso_short_name().to_owned();
        let region = Region::try_from_str(&alpha2).ok();
        let name = region
            .and_then(|region| self.names.of(region))
            .unwrap_or(&iso_name)
            .to_owned();
        let short_name = region
            .and_then(|region| self.short_names.of(region))
            .filter(|short| *short != name)
            .map(str::to_owned);
        CountryNames {
            alpha2,
            name,
            short_name,
            iso_name,
        }
    }
}

/// The names of every ISO 3166-1 country.
pub fn country_names() -> Result<Vec<CountryNames>, SeedError> {
    let cldr = Cldr::load()?;
    Ok(CountryIterator::new()
        .map(|country| cldr.names_of(&country))
        .collect())
}

/// One node per ISO 3166-1 country, its slug the lower-case alpha-2 code.
pub(super) fn countries() -> Result<Vec<SeedNode>, SeedError> {
    let cldr = Cldr::load()?;
    let mut countries: Vec<SeedNode> = CountryIterator::new()
        .map(|country| {
            let names = cldr.names_of(&country);
            SeedNode {
                kind: NodeKind::Country,
                slug: names.alpha2.to_lowercase(),
                name: names.name,
                summary: None,
                detail: Detail::Country(govgraph_entities::country::Model {
                    node_id: uuid::Uuid::nil(),
                    kind: NodeKind::Country,
                    alpha2: names.alpha2,
                    alpha3: country.alpha3().to_string(),
                    numeric_code: country.number().to_owned(),
                    iso_name: names.iso_name,
                    short_name: names.short_name,
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
    Ok(countries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(alpha2: &str) -> CountryNames {
        country_names()
            .expect("CLDR's names load")
            .into_iter()
            .find(|names| names.alpha2 == alpha2)
            .expect("an ISO country")
    }

    #[test]
    fn countries_are_named_as_cldr_names_them_with_iso_names_kept() {
        let uk = named("GB");
        assert_eq!(uk.name, "United Kingdom");
        assert_eq!(uk.short_name.as_deref(), Some("UK"));
        assert_eq!(
            uk.iso_name,
            "United Kingdom of Great Britain and Northern Ireland"
        );
        assert_eq!(named("US").name, "United States");
        assert_eq!(named("KR").name, "South Korea");
        assert_eq!(named("KR").iso_name, "Korea (Republic of)");
        assert_eq!(named("TR").name, "Türkiye");
        assert_eq!(named("SG").short_name, None);
    }
}
