//! Countries: every ISO 3166-1 country, keyed by its codes.

use async_graphql::{Context, Enum, InputObject, MergedObject, Object};
use govgraph_entities::country;

use super::filter::{ListFilter, ListOrder, NodeFilter, bounded};
use super::lookup::{country_by_code, country_code, find_country};
use super::node::{Node, node_object};
use super::{Event, Person};
use crate::error::ApiError;
use govgraph_read::listing::{Criterion, Order, SortKey};

node_object! {
    /// A country or territory of ISO 3166-1, named as people name it in English (CLDR's name, e.g. `United Kingdom`). Every one is in the graph, so that anyone can link to any country by its code.
    Country(country::Model);
    links {
        /// The working groups and partnerships the country is a member of.
        memberships: Node = Outgoing [MemberOf];
        /// What the country co-chairs; `validFrom` and `validTo` on each edge say when.
        co_chairing: Node = Outgoing [CoChairs];
        /// The events, partnerships and working groups the country takes part in.
        participations: Node = Outgoing [ParticipatesIn];
        /// The events the country took part in.
        events: Event = Outgoing [ParticipatesIn];
        /// The events held in the country.
        hosted_events: Event = Outgoing [Hosts];
        /// What the country organises.
        organises: Node = Outgoing [Organises];
        /// What the country established.
        established: Node = Outgoing [Established];
        /// What the country supports.
        supports: Node = Outgoing [Supports];
        /// People who hold a position in the country's government; each edge's `role` is the position.
        people: Person = Incoming [AffiliatedWith];
    }
    fields {
        /// The ISO 3166-1 alpha-2 code, e.g. `SG`: the country's key.
        async fn code(&self) -> &str {
            &self.detail.alpha2
        }

        /// The ISO 3166-1 alpha-3 code, e.g. `SGP`.
        async fn alpha3(&self) -> &str {
            &self.detail.alpha3
        }

        /// The ISO 3166-1 numeric code, three digits, e.g. `702`.
        async fn numeric_code(&self) -> &str {
            &self.detail.numeric_code
        }

        /// The ISO 3166-1 short name, e.g. `Korea (Republic of)`; `name` is the name people use, from CLDR (`South Korea`).
        async fn iso_name(&self) -> &str {
            &self.detail.iso_name
        }

        /// The short form of the name people use, from CLDR, where it has one, e.g. `UK`; null when `name` is as short.
        async fn short_name(&self) -> Option<&str> {
            self.detail.short_name.as_deref()
        }

        /// The ISO long name, e.g. `The Republic of Singapore`.
        async fn official_name(&self) -> &str {
            &self.detail.official_name
        }

        /// The UN M49 region, e.g. `ASIA`; null for the few territories the UN places in none (such as Antarctica).
        async fn region(&self) -> Option<Region> {
            self.detail.region.as_deref().and_then(Region::from_slug)
        }

        /// The UN M49 sub-region, as a lower-case slug, e.g. `south-eastern-asia`.
        async fn subregion(&self) -> Option<&str> {
            self.detail.subregion.as_deref()
        }
    }
}

/// Which countries to list. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
pub struct CountryFilter {
    #[graphql(flatten)]
    common: NodeFilter,
    /// Only countries with one of these ISO 3166-1 alpha-2 or alpha-3 codes.
    codes: Option<Vec<String>>,
    /// Only countries in one of these UN M49 regions.
    regions: Option<Vec<Region>>,
}

/// The regions of the UN M49 standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(tag = "public")]
pub enum Region {
    /// Africa.
    Africa,
    /// The Americas.
    Americas,
    /// Asia.
    Asia,
    /// Europe.
    Europe,
    /// Oceania.
    Oceania,
}

impl Region {
    const ALL: [Region; 5] = [
        Region::Africa,
        Region::Americas,
        Region::Asia,
        Region::Europe,
        Region::Oceania,
    ];

    /// The region as the data set stores it: `asia`.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Region::Africa => "africa",
            Region::Americas => "americas",
            Region::Asia => "asia",
            Region::Europe => "europe",
            Region::Oceania => "oceania",
        }
    }

    pub(crate) fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|region| region.slug() == slug)
    }
}

impl ListFilter for CountryFilter {
    fn common(&self) -> &NodeFilter {
        &self.common
    }

    fn criteria(&self, linked: &[govgraph_read::ids::NodeId]) -> Result<Vec<Criterion>, ApiError> {
        let mut criteria = self.common.criteria(linked)?;
        if let Some(codes) = &self.codes {
            let codes = bounded("codes", codes)?
                .iter()
                .map(|code| country_code(code))
                .collect::<Result<Vec<_>, _>>()?;
            criteria.push(Criterion::CountryCodeIn(codes));
        }
        if let Some(regions) = &self.regions {
            let regions = bounded("regions", regions)?;
            criteria.push(Criterion::RegionIn(
                regions.iter().map(|r| r.slug().to_owned()).collect(),
            ));
        }
        Ok(criteria)
    }
}

/// Orders of countries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum CountryOrder {
    /// By name, A to Z.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// By alpha-2 code, A to Z.
    CodeAsc,
    /// By alpha-2 code, Z to A.
    CodeDesc,
}

impl ListOrder for CountryOrder {
    fn order(&self) -> Order {
        let (key, descending) = match self {
            Self::NameAsc => (SortKey::Name, false),
            Self::NameDesc => (SortKey::Name, true),
            Self::CodeAsc => (SortKey::CountryCode, false),
            Self::CodeDesc => (SortKey::CountryCode, true),
        };
        Order { key, descending }
    }
}

mod list {
    use super::{Country, CountryFilter, CountryOrder};
    use crate::graph::filter::kind_query;

    kind_query! {
        /// The root list of countries.
        Country {
            /// Countries, filtered and ordered.
            countries(CountryFilter, CountryOrder);
        }
    }
}

/// The root fields of countries: their list, and their lookup by code.
#[derive(Default, MergedObject)]
#[graphql(name = "CountryFields")]
pub struct Query(list::Query, CountryLookup);

/// The root lookup of a country.
#[derive(Default)]
pub struct CountryLookup;

#[Object]
impl CountryLookup {
    /// The country with this ISO 3166-1 code; `BAD_USER_INPUT` for a code that is no country's.
    #[graphql(tag = "public")]
    async fn country(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An alpha-2 (`SG`) or alpha-3 (`SGP`) code, in any case.")] code: String,
    ) -> Result<Option<Country>, ApiError> {
        country_by_code(ctx, &code).await.map(Some)
    }

    /// How `_entities` finds a country by its alpha-2 or alpha-3 code.
    #[graphql(entity)]
    async fn find_by_code(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> Result<Option<Country>, ApiError> {
        find_country(ctx, &code).await
    }
}
