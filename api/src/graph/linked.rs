//! The arguments every relationship field takes besides its page: which of the node's
//! relationships to list (`filter`, `asOf`) and in what order (`orderBy`).

use async_graphql::{Enum, InputObject};
use govgraph_entities::NodeKind as Kind;
use govgraph_read::store::{LinkOrder, LinkSortKey, LinkSpec};
use govgraph_read::validity::Period;

use super::country::Region;
use super::filter::bounded;
use super::relay::type_name;
use super::vocabulary::{NodeKind, PartialDate};
use crate::error::ApiError;

/// Which of a node's relationships a relationship field lists. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(tag = "public")]
pub struct LinkedFilter {
    /// Only relationships to nodes of these kinds, e.g. `[COUNTRY]` for the countries among a working group's members.
    pub kinds: Option<Vec<NodeKind>>,
    /// Only relationships to countries in one of these UN M49 regions (other kinds of node are left out).
    pub regions: Option<Vec<Region>>,
    /// Only relationships whose role is one of these, exactly as stored, e.g. `co-chair`.
    pub roles: Option<Vec<String>>,
    /// Only relationships that held at some time in this period. A relationship with no dates always holds.
    pub valid_during: Option<PeriodInput>,
}

/// A period of time from `from` to `to`, both inclusive and each a partial date: `{ from: "2021", to: "2021" }` is the whole of 2021. An end not given is open.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(name = "Period", tag = "public")]
pub struct PeriodInput {
    /// The first date of the period; open when not given.
    pub from: Option<PartialDate>,
    /// The last date of the period; open when not given.
    pub to: Option<PartialDate>,
}

impl PeriodInput {
    /// The periods every relationship must overlap: `valid_during`, if given, and the date
    /// `as_of` names, if given. `BAD_USER_INPUT` for a period that ends before it starts.
    pub fn periods(
        valid_during: Option<PeriodInput>,
        as_of: Option<PartialDate>,
    ) -> Result<Vec<Period>, ApiError> {
        let mut periods = Vec::new();
        if let Some(PeriodInput { from, to }) = valid_during {
            if let (Some(from), Some(to)) = (&from, &to)
                && !to.0.is_not_before(&from.0)
            {
                return Err(ApiError::bad_input(format!(
                    "`validDuring` ends ({}) before it starts ({})",
                    to.0, from.0
                )));
            }
            periods.push(Period {
                from: from.map(|date| date.0),
                to: to.map(|date| date.0),
            });
        }
        periods.extend(as_of.map(|date| Period::on(date.0)));
        Ok(periods)
    }
}

/// The order of a list of relationships; ties are broken by the relationship's ID, so the order is total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
#[graphql(tag = "public")]
pub enum LinkedOrder {
    /// By the name of the node at the other end, A to Z.
    #[default]
    OtherNameAsc,
    /// By the name of the node at the other end, Z to A.
    OtherNameDesc,
    /// By when the relationship began, earliest first; relationships with no start come first.
    ValidFromAsc,
    /// By when the relationship began, latest first; relationships with no start come last.
    ValidFromDesc,
    /// By when the relationship ended, earliest first; relationships with no end (ongoing) come last.
    ValidToAsc,
    /// By when the relationship ended, latest first; relationships with no end (ongoing) come first.
    ValidToDesc,
}

impl From<LinkedOrder> for LinkOrder {
    fn from(order: LinkedOrder) -> Self {
        let (key, descending) = match order {
            LinkedOrder::OtherNameAsc => (LinkSortKey::OtherName, false),
            LinkedOrder::OtherNameDesc => (LinkSortKey::OtherName, true),
            LinkedOrder::ValidFromAsc => (LinkSortKey::ValidFrom, false),
            LinkedOrder::ValidFromDesc => (LinkSortKey::ValidFrom, true),
            LinkedOrder::ValidToAsc => (LinkSortKey::ValidTo, false),
            LinkedOrder::ValidToDesc => (LinkSortKey::ValidTo, true),
        };
        LinkOrder { key, descending }
    }
}

/// What a relationship field was asked for besides its page.
#[derive(Clone, Debug, Default)]
pub struct LinkArgs {
    /// `filter`.
    pub filter: Option<LinkedFilter>,
    /// `orderBy`.
    pub order_by: Option<LinkedOrder>,
    /// `asOf`.
    pub as_of: Option<PartialDate>,
}

impl LinkArgs {
    /// The relationships of `predicates` (any when empty) running `direction`, to nodes of the
    /// kinds `presented` (any when empty) that the field's type can present, narrowed by these
    /// arguments.
    pub fn spec(
        self,
        field: &str,
        predicates: Vec<govgraph_entities::Predicate>,
        direction: govgraph_read::store::Direction,
        presented: &[Kind],
    ) -> Result<LinkSpec, ApiError> {
        let field = camel_case(field);
        let mut predicates = predicates;
        predicates.sort();
        predicates.dedup();
        let filter = self.filter.unwrap_or_default();
        let kinds = match &filter.kinds {
            None => presented.to_vec(),
            Some(kinds) => {
                let mut asked: Vec<Kind> = bounded("filter.kinds", kinds)?
                    .iter()
                    .map(|kind| (*kind).into())
                    .collect();
                asked.sort_unstable();
                asked.dedup();
                if let Some(kind) = asked
                    .iter()
                    .find(|kind| !(presented.is_empty() || presented.contains(kind)))
                {
                    let presented: Vec<&str> = presented.iter().map(|k| type_name(*k)).collect();
                    return Err(ApiError::bad_input(format!(
                        "`{field}` lists only {} nodes, not {}",
                        presented.join(", "),
                        type_name(*kind)
                    )));
                }
                asked
            }
        };
        let mut spec = LinkSpec::new(predicates, direction, kinds);
        if let Some(regions) = &filter.regions {
            spec.regions = bounded("filter.regions", regions)?
                .iter()
                .map(|region| region.slug().to_owned())
                .collect();
        }
        if let Some(roles) = &filter.roles {
            spec.roles = bounded("filter.roles", roles)?.to_vec();
        }
        spec.during = PeriodInput::periods(filter.valid_during, self.as_of)?;
        spec.order = self.order_by.unwrap_or_default().into();
        Ok(spec)
    }
}

/// `co_chairs` as GraphQL spells it: `coChairs`.
fn camel_case(field: &str) -> String {
    let mut words = field.split('_');
    let mut camel = words.next().unwrap_or_default().to_owned();
    for word in words {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            camel.extend(first.to_uppercase());
            camel.push_str(chars.as_str());
        }
    }
    camel
}
