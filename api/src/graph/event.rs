//! Events: dated gatherings such as an edition of DGX.

use async_graphql::{Enum, InputObject};
use govgraph_entities::event;

use super::filter::{ListFilter, ListOrder, NodeFilter, kind_query};
use super::node::{Node, node_object};
use super::vocabulary::{EventFormat, PartialDate};
use super::{Country, Partnership, Topic, WorkingGroup};
use crate::error::ApiError;
use govgraph_read::listing::{Criterion, Order, SortKey};

node_object! {
    /// A dated gathering, such as the 2022 edition of the Digital Government Exchange.
    Event(event::Model);
    links {
        /// The partnerships whose event series this event is part of.
        series: Partnership = Outgoing [PartOf];
        /// The countries and organisations that host the event; a country is where it is held.
        hosts: Node = Incoming [Hosts];
        /// The countries where the event is held.
        host_countries: Country = Incoming [Hosts];
        /// Who organises the event.
        organisers: Node = Incoming [Organises];
        /// The countries, organisations and people that attended.
        participants: Node = Incoming [ParticipatesIn];
        /// Who co-chairs the event.
        co_chairs: Node = Incoming [CoChairs];
        /// The event's working groups.
        working_groups: WorkingGroup = Outgoing [HasWorkingGroup];
        /// The topics the event focuses on.
        topics: Topic = Outgoing [FocusesOn];
        /// The issues discussed at the event.
        discussed: Topic = Outgoing [Discussed];
    }
    fields {
        /// The first day, month or year of the event.
        async fn starts_on(&self) -> Option<PartialDate> {
            self.detail.starts_on.clone().map(PartialDate)
        }

        /// The last day, month or year of the event.
        async fn ends_on(&self) -> Option<PartialDate> {
            self.detail.ends_on.clone().map(PartialDate)
        }

        /// Where it is held, in words.
        async fn location(&self) -> Option<&str> {
            self.detail.location.as_deref()
        }

        /// Its number in a series, e.g. 7 for the 7th edition.
        async fn edition(&self) -> Option<i32> {
            self.detail.edition
        }

        /// How it is held.
        async fn format(&self) -> Option<EventFormat> {
            self.detail.format.map(Into::into)
        }
    }
}

/// Which events to list. All given conditions must hold.
#[derive(Clone, Debug, Default, InputObject)]
pub struct EventFilter {
    #[graphql(flatten)]
    common: NodeFilter,
    /// Only events starting in this year.
    year: Option<i32>,
}

impl ListFilter for EventFilter {
    fn common(&self) -> &NodeFilter {
        &self.common
    }

    fn criteria(&self, linked: &[govgraph_read::ids::NodeId]) -> Result<Vec<Criterion>, ApiError> {
        let mut criteria = self.common.criteria(linked)?;
        if let Some(year) = self.year {
            if !(0..=9999).contains(&year) {
                return Err(ApiError::bad_input(format!(
                    "`year` must be between 0 and 9999, not {year}"
                )));
            }
            criteria.push(Criterion::StartsInYear(year));
        }
        Ok(criteria)
    }
}

/// Orders of events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum EventOrder {
    /// By name, A to Z.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Earliest first; events with no date first.
    StartAsc,
    /// Latest first; events with no date last.
    StartDesc,
}

impl ListOrder for EventOrder {
    fn order(&self) -> Order {
        let (key, descending) = match self {
            Self::NameAsc => (SortKey::Name, false),
            Self::NameDesc => (SortKey::Name, true),
            Self::StartAsc => (SortKey::EventStart, false),
            Self::StartDesc => (SortKey::EventStart, true),
        };
        Order { key, descending }
    }
}

kind_query! {
    /// Root fields for events.
    Event {
        /// Events, filtered and ordered.
        events(EventFilter, EventOrder);
        /// The event with this slug, e.g. `dgx-2022`; `NOT_FOUND` when there is none.
        event(slug);
    }
}
