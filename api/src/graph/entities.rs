//! Federation: every node kind is an entity, resolvable by global ID and by its natural key.
//!
//! A gateway sends `_entities` a list of representations; each is answered here through the
//! request's loader, so one call costs one statement per kind of key, however many entries it
//! has. An unknown key resolves to null for its entry alone.

use async_graphql::{Context, Object};
use govgraph_entities::NodeKind;

use super::connection::loader;
use super::lookup::{find_by_slug, find_country};
use super::node::load_node;
use super::relationship::Relationship;
use super::relay::{NodeGlobalId, RelationshipGlobalId};
use super::{
    Country, Deliverable, Event, Organisation, Partnership, Person, Source, Topic, WorkingGroup,
};
use crate::error::ApiError;
use govgraph_read::loaders::EdgeById;

/// Declares the entity resolvers of the node kinds keyed by `id` and `slug`.
macro_rules! slug_entities {
    ($($ty:ident($kind:ident): $by_id:ident, $by_slug:ident;)*) => {
        /// The entity resolvers of federation: not fields of the API, but how `_entities` finds each representation.
        #[derive(Default)]
        pub struct EntityQuery;

        #[Object]
        impl EntityQuery {
            $(
                #[graphql(entity)]
                async fn $by_id(&self, ctx: &Context<'_>, id: NodeGlobalId) -> Result<Option<$ty>, ApiError> {
                    load_node(ctx, id).await
                }

                #[graphql(entity)]
                async fn $by_slug(&self, ctx: &Context<'_>, slug: String) -> Result<Option<$ty>, ApiError> {
                    find_by_slug(ctx, NodeKind::$kind, &slug).await
                }
            )*

            #[graphql(entity)]
            async fn find_country_by_id(&self, ctx: &Context<'_>, id: NodeGlobalId) -> Result<Option<Country>, ApiError> {
                load_node(ctx, id).await
            }

            #[graphql(entity)]
            async fn find_country_by_code(&self, ctx: &Context<'_>, code: String) -> Result<Option<Country>, ApiError> {
                find_country(ctx, &code).await
            }

            #[graphql(entity)]
            async fn find_relationship_by_id(&self, ctx: &Context<'_>, id: RelationshipGlobalId) -> Result<Option<Relationship>, ApiError> {
                Ok(loader(ctx)?.load_one(EdgeById(id.0)).await?.map(Relationship))
            }
        }
    };
}

slug_entities! {
    Partnership(Partnership): find_partnership_by_id, find_partnership_by_slug;
    WorkingGroup(WorkingGroup): find_working_group_by_id, find_working_group_by_slug;
    Event(Event): find_event_by_id, find_event_by_slug;
    Person(Person): find_person_by_id, find_person_by_slug;
    Organisation(Organisation): find_organisation_by_id, find_organisation_by_slug;
    Deliverable(Deliverable): find_deliverable_by_id, find_deliverable_by_slug;
    Topic(Topic): find_topic_by_id, find_topic_by_slug;
    Source(Source): find_source_by_id, find_source_by_slug;
}
