//! The kind-specific row of a node, whatever its kind.

use crate::{
    country, deliverable, event, organisation, partnership, person, source, working_group,
};

/// The kind-specific row of a node.
#[derive(Clone, Debug)]
pub enum Detail {
    /// A topic, which has no detail table.
    None,
    /// A country's ISO codes and region.
    Country(country::Model),
    /// A person's title.
    Person(person::Model),
    /// An organisation's kind and acronym.
    Organisation(organisation::Model),
    /// A partnership's acronym and founding date.
    Partnership(partnership::Model),
    /// A working group's short name.
    WorkingGroup(working_group::Model),
    /// An event's dates, place and format.
    Event(event::Model),
    /// A deliverable's kind and publication.
    Deliverable(deliverable::Model),
    /// A source's publication details.
    Source(source::Model),
}
