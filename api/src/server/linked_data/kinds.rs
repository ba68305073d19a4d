//! The node kinds as linked data spells them, and the GraphQL documents that describe a node of
//! each, all derived from the table of kinds.

use govgraph_entities::NodeKind;

/// Declares [`TABLE`]: each kind of the table of kinds with its GraphQL type and module name.
macro_rules! kind_table {
    ($($(#[$doc:meta])* $kind:ident = $stored:literal, $module:ident $(($detail:ident))?;)*) => {
        /// Each kind of the table of kinds: the kind, its GraphQL type, and its module, whose
        /// name is also that of the kind's root lookup field.
        const TABLE: &[(NodeKind, &str, &str)] = &[
            $((NodeKind::$kind, stringify!($kind), stringify!($module)),)*
        ];
    };
}

govgraph_entities::for_each_kind!(kind_table);

/// The operation that describes a node, as the linked data is made from it.
pub const DESCRIBE: &str = "LinkedData";

/// The operation that finds a node's canonical key.
pub const FIND: &str = "LinkedDataKey";

/// The most relationships a node's linked data lists: one page of the `relationships`
/// connection.
pub const MAX_RELATIONSHIPS: usize = 100;

/// A kind as linked data knows it.
#[derive(Clone, Debug)]
pub struct Kind {
    /// The kind.
    pub kind: NodeKind,
    /// Its GraphQL type, e.g. `WorkingGroup`.
    pub type_name: &'static str,
    /// Its spelling in public URLs, kebab-case: `working-group`.
    pub segment: String,
    /// The document of operation [`DESCRIBE`], which describes a node of the kind given its
    /// key in variable `$key`.
    pub describe: String,
    /// The document of operation [`FIND`], which asks only for the canonical key.
    pub find: String,
}

/// `working_group` in camelCase: `workingGroup`.
fn camel_case(snake: &str) -> String {
    let mut words = snake.split('_');
    let mut camel = words.next().unwrap_or_default().to_owned();
    for word in words {
        let mut letters = word.chars();
        if let Some(first) = letters.next() {
            camel.extend(first.to_uppercase());
            camel.push_str(letters.as_str());
        }
    }
    camel
}

/// The argument of a kind's root lookup: a country's ISO code (its slug is its lower-case
/// alpha-2 code, and the lookup takes alpha-3 too), every other kind's slug.
fn key_argument(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Country => "code",
        _ => "slug",
    }
}

/// The kind's own fields the linked data maps, one selection per line.
fn own_fields(kind: NodeKind) -> &'static [&'static str] {
    match kind {
        NodeKind::Partnership => &["shortName", "established"],
        NodeKind::WorkingGroup => &["shortName"],
        NodeKind::Event => &["startsOn", "endsOn", "location", "format"],
        NodeKind::Person => &["honorific", "title"],
        NodeKind::Country => &["code", "alpha3", "numericCode", "officialName", "region"],
        NodeKind::Organisation => &["organisationKind", "shortName"],
        NodeKind::Deliverable => &["deliverableKind", "published", "url"],
        NodeKind::Topic => &[],
        NodeKind::Source => &["sourceKind", "url", "publisher", "published", "licence"],
    }
}

/// What is asked of a source that states a node or a relationship.
const SOURCE: &str = "{ slug name url sourceKind }";

fn describe(kind: NodeKind, field: &str) -> String {
    let own: String = own_fields(kind)
        .iter()
        .map(|selection| format!("    {selection}\n"))
        .collect();
    let argument = key_argument(kind);
    format!(
        "query {DESCRIBE}($key: String!) {{
  node: {field}({argument}: $key) {{
    __typename
    slug
    name
    summary
{own}    externalIds {{ scheme value }}
    sources {SOURCE}
    relationships(first: {MAX_RELATIONSHIPS}) {{
      pageInfo {{ hasNextPage }}
      edges {{
        predicate
        direction
        role
        validFrom
        validTo
        node {{ __typename slug name }}
        citations {{ source {SOURCE} }}
      }}
    }}
  }}
}}
"
    )
}

fn find(kind: NodeKind, field: &str) -> String {
    let argument = key_argument(kind);
    format!("query {FIND}($key: String!) {{ node: {field}({argument}: $key) {{ slug }} }}")
}

/// Every kind, in the order of the table of kinds.
pub fn kinds() -> Vec<Kind> {
    TABLE
        .iter()
        .map(|(kind, type_name, module)| {
            let field = camel_case(module);
            Kind {
                kind: *kind,
                type_name,
                segment: module.replace('_', "-"),
                describe: describe(*kind, &field),
                find: find(*kind, &field),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use async_graphql::registry::MetaType;

    use super::*;

    #[test]
    fn kinds_are_spelt_in_kebab_case_from_the_table_of_kinds() {
        let segments: Vec<String> = kinds().into_iter().map(|kind| kind.segment).collect();
        assert_eq!(
            segments,
            [
                "partnership",
                "working-group",
                "event",
                "person",
                "country",
                "organisation",
                "deliverable",
                "topic",
                "source"
            ]
        );
        assert_eq!(camel_case("working_group"), "workingGroup");
        assert_eq!(camel_case("event"), "event");
    }

    #[test]
    fn every_document_asks_the_kinds_own_lookup_for_fields_its_type_has() {
        let env = crate::graph::schema_env().expect("the registry");
        let fields_of = |type_name: &str| match env.registry.types.get(type_name) {
            Some(MetaType::Object { fields, .. }) => fields.clone(),
            _ => panic!("{type_name} is no object"),
        };
        let query = fields_of("Query");
        for kind in kinds() {
            let (_, _, module) = TABLE
                .iter()
                .find(|(k, _, _)| *k == kind.kind)
                .expect("in the table");
            let lookup = query
                .get(&camel_case(module))
                .unwrap_or_else(|| panic!("no lookup for {}", kind.type_name));
            assert!(lookup.args.contains_key(key_argument(kind.kind)));
            assert_eq!(
                lookup.ty.trim_end_matches('!'),
                kind.type_name,
                "the lookup of {}",
                kind.type_name
            );
            let own = fields_of(kind.type_name);
            for field in own_fields(kind.kind) {
                assert!(own.contains_key(*field), "{}.{field}", kind.type_name);
            }
            assert!(
                kind.describe
                    .contains(&format!("node: {}(", camel_case(module)))
            );
            async_graphql::parser::parse_query(&kind.describe).expect("the document parses");
            async_graphql::parser::parse_query(&kind.find).expect("the document parses");
        }
    }
}
