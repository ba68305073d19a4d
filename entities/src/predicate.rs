//! The controlled vocabulary of relationships.

use sea_orm::entity::prelude::*;

use crate::NodeKind::{self, *};

/// The predicate of an edge: what the subject is to the object. Each predicate has a fixed
/// direction and a fixed set of subject and object kinds ([`Predicate::allows`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum Predicate {
    /// The subject is a member of the object.
    #[sea_orm(string_value = "MEMBER_OF")]
    MemberOf,
    /// The subject co-chairs the object.
    #[sea_orm(string_value = "CO_CHAIRS")]
    CoChairs,
    /// The subject organises the object.
    #[sea_orm(string_value = "ORGANISES")]
    Organises,
    /// The subject hosts the object event; a country hosting an event is where it is held.
    #[sea_orm(string_value = "HOSTS")]
    Hosts,
    /// The subject takes part in the object.
    #[sea_orm(string_value = "PARTICIPATES_IN")]
    ParticipatesIn,
    /// The object is a working group of the subject.
    #[sea_orm(string_value = "HAS_WORKING_GROUP")]
    HasWorkingGroup,
    /// The subject produced the object deliverable.
    #[sea_orm(string_value = "PRODUCED")]
    Produced,
    /// The subject's work focuses on the object topic.
    #[sea_orm(string_value = "FOCUSES_ON")]
    FocusesOn,
    /// The subject discussed the object topic.
    #[sea_orm(string_value = "DISCUSSED")]
    Discussed,
    /// The subject wrote the object.
    #[sea_orm(string_value = "AUTHORED")]
    Authored,
    /// The subject is credited in the object document, e.g. for a photograph.
    #[sea_orm(string_value = "CREDITED_IN")]
    CreditedIn,
    /// The subject person holds a position (the role) in the object.
    #[sea_orm(string_value = "AFFILIATED_WITH")]
    AffiliatedWith,
    /// The subject is a part of the object: a unit of an organisation, an edition of a
    /// partnership's event series, a narrower topic.
    #[sea_orm(string_value = "PART_OF")]
    PartOf,
    /// The subject established the object.
    #[sea_orm(string_value = "ESTABLISHED")]
    Established,
    /// The subject supports the object.
    #[sea_orm(string_value = "SUPPORTS")]
    Supports,
}

const ACTORS: &[NodeKind] = &[Country, Organisation, Person];
const GROUPS: &[NodeKind] = &[WorkingGroup, Partnership];

impl Predicate {
    /// The predicate with this stored name, e.g. `MEMBER_OF`.
    pub fn from_stored(stored: &str) -> Option<Self> {
        <Self as ActiveEnum>::try_from_value(&stored.to_owned()).ok()
    }

    /// The pairs of (subject kinds, object kinds) this predicate may join.
    fn signatures(self) -> &'static [(&'static [NodeKind], &'static [NodeKind])] {
        match self {
            Self::MemberOf => &[(ACTORS, GROUPS)],
            Self::CoChairs => &[(ACTORS, &[WorkingGroup, Partnership, Event])],
            Self::Organises => &[(
                &[Organisation, Country],
                &[Partnership, Event, WorkingGroup],
            )],
            Self::Hosts => &[(&[Country, Organisation], &[Event])],
            Self::ParticipatesIn => &[(ACTORS, &[Event, Partnership, WorkingGroup])],
            Self::HasWorkingGroup => &[(&[Partnership, Event, Organisation], &[WorkingGroup])],
            Self::Produced => &[(
                &[WorkingGroup, Organisation, Person, Partnership],
                &[Deliverable],
            )],
            Self::FocusesOn => &[(
                &[WorkingGroup, Partnership, Event, Deliverable, Organisation],
                &[Topic],
            )],
            Self::Discussed => &[(&[WorkingGroup, Event], &[Topic])],
            Self::Authored => &[(&[Person, Organisation], &[Source, Deliverable])],
            Self::CreditedIn => &[(&[Person, Organisation], &[Source])],
            Self::AffiliatedWith => &[(&[Person], &[Organisation, Country])],
            Self::PartOf => &[
                (&[Organisation], &[Organisation]),
                (&[Event], &[Partnership, Event]),
                (&[Topic], &[Topic]),
            ],
            Self::Established => &[(
                &[Organisation, Country],
                &[Partnership, WorkingGroup, Organisation],
            )],
            Self::Supports => &[(
                &[Partnership, Organisation, Country],
                &[Topic, Partnership, WorkingGroup, Event],
            )],
        }
    }

    /// Whether an edge with this predicate may go from a `subject` of one kind to an `object`
    /// of another. The database cannot check this across tables; writers must.
    pub fn allows(self, subject: NodeKind, object: NodeKind) -> bool {
        self.signatures()
            .iter()
            .any(|(subjects, objects)| subjects.contains(&subject) && objects.contains(&object))
    }

    /// The kinds this predicate's objects can have when its subject has kind `subject`.
    pub fn object_kinds(self, subject: NodeKind) -> Vec<NodeKind> {
        let mut kinds: Vec<NodeKind> = self
            .signatures()
            .iter()
            .filter(|(subjects, _)| subjects.contains(&subject))
            .flat_map(|(_, objects)| objects.iter().copied())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Every kind this predicate's objects can have, whatever the subject.
    pub fn object_kinds_of_any(self) -> Vec<NodeKind> {
        self.kinds_at(|(_, objects)| objects)
    }

    /// Every kind this predicate's subjects can have.
    pub fn subject_kinds(self) -> Vec<NodeKind> {
        self.kinds_at(|(subjects, _)| subjects)
    }

    fn kinds_at(
        self,
        end: impl Fn(&(&'static [NodeKind], &'static [NodeKind])) -> &'static [NodeKind],
    ) -> Vec<NodeKind> {
        let mut kinds: Vec<NodeKind> = self
            .signatures()
            .iter()
            .flat_map(|signature| end(signature).iter().copied())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// The stored name, e.g. `MEMBER_OF`.
    pub fn as_str(self) -> String {
        self.to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_country_can_be_a_member_of_a_working_group_but_not_of_a_topic() {
        assert!(Predicate::MemberOf.allows(Country, WorkingGroup));
        assert!(!Predicate::MemberOf.allows(Country, Topic));
        assert!(!Predicate::MemberOf.allows(WorkingGroup, Country));
    }

    #[test]
    fn a_membership_is_always_of_a_working_group_or_a_partnership() {
        assert_eq!(
            Predicate::MemberOf.object_kinds_of_any(),
            vec![Partnership, WorkingGroup]
        );
        assert_eq!(
            Predicate::MemberOf.subject_kinds(),
            vec![Person, Country, Organisation]
        );
    }

    #[test]
    fn part_of_joins_only_like_with_like_or_events_to_series() {
        assert!(Predicate::PartOf.allows(Organisation, Organisation));
        assert!(Predicate::PartOf.allows(Event, Partnership));
        assert!(!Predicate::PartOf.allows(Organisation, Partnership));
        assert_eq!(
            Predicate::PartOf.object_kinds(Event),
            vec![Partnership, Event]
        );
    }
}
