//! Every ISO 3166-1 country, from the `keshvar` crate, named as people name it in English by
//! CLDR (through ICU4X's compiled data).

use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::{DisplayNamesOptions, Style};
use icu_locale_core::locale;
use icu_locale_core::subtags::Region;
use keshvar::{Country, CountryIterator};

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

/// CLDR's English names of regions do not load.
#[derive(Debug, thiserror::Error)]
#[error("CLDR's English region names do not load: {0}")]
pub struct CountryNamesError(String);

/// CLDR's English names of regions, in their default and short forms.
struct Cldr {
    names: RegionDisplayNames,
    short_names: RegionDisplayNames,
}

impl Cldr {
    fn load() -> Result<Self, CountryNamesError> {
        let load = |style: Option<Style>| {
            let mut options = DisplayNamesOptions::default();
            options.style = style;
            RegionDisplayNames::try_new(locale!("en").into(), options)
                .map_err(|error| CountryNamesError(error.to_string()))
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
pub fn country_names() -> Result<Vec<CountryNames>, CountryNamesError> {
    let cldr = Cldr::load()?;
    Ok(CountryIterator::new()
        .map(|country| cldr.names_of(&country))
        .collect())
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
