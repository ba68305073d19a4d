//! A node's JSON-LD document, made from the answer of the GraphQL query that describes it, in
//! schema.org, the W3C Organization Ontology (ORG), OWL-Time, SKOS, FOAF and Dublin Core terms.
//! `docs/linked-data.md` gives the mapping and the reasons for it.

use govgraph_entities::{NodeKind, Predicate};
use sea_orm::ActiveEnum as _;
use serde_json::{Map, Value, json};

use super::kinds::Kind;

/// The prefixes of every term the documents use; no remote context, so that a JSON-LD processor
/// needs no network to read them.
fn context() -> Value {
    json!({
        // As the context schema.org publishes has it (`@vocab`), so that the terms are the
        // same as those of documents using that context.
        "schema": "http://schema.org/",
        "org": "http://www.w3.org/ns/org#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "time": "http://www.w3.org/2006/time#",
        "xsd": "http://www.w3.org/2001/XMLSchema#"
    })
}

/// How a relationship's predicate is said in linked data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mapping {
    /// A property from the relationship's subject to its object.
    Forward(&'static str),
    /// A property from the relationship's object to its subject.
    Backward(&'static str),
    /// An `org:Membership` of the subject (`org:member`) in the object (`org:organization`),
    /// with the relationship's role (or `role` when it has none) as `org:role`, its period as
    /// `org:memberDuring`, and its sources; and `direct`, when given, from subject to object.
    Membership {
        direct: Option<&'static str>,
        role: Option<&'static str>,
    },
}

/// How a relationship with `predicate` from a node of kind `subject` to one of kind `object` is
/// said. Every predicate has an answer: adding one to the vocabulary fails to compile until it
/// has one here.
fn mapping(predicate: Predicate, subject: NodeKind, object: NodeKind) -> Mapping {
    use Mapping::*;
    use NodeKind as K;
    match predicate {
        Predicate::MemberOf => Membership {
            direct: Some("org:memberOf"),
            role: None,
        },
        Predicate::CoChairs => Membership {
            direct: None,
            role: Some("co-chair"),
        },
        Predicate::AffiliatedWith => Membership {
            direct: Some("schema:affiliation"),
            role: None,
        },
        Predicate::Organises => Backward("schema:organizer"),
        Predicate::Hosts => match subject {
            // A country hosting an event is where it is held.
            K::Country => Backward("schema:location"),
            _ => Backward("schema:organizer"),
        },
        Predicate::ParticipatesIn => match object {
            K::Event => Backward("schema:attendee"),
            _ => Backward("dcterms:contributor"),
        },
        Predicate::HasWorkingGroup => match subject {
            K::Event => Forward("dcterms:hasPart"),
            _ => Forward("org:hasSubOrganization"),
        },
        Predicate::Produced => Backward("schema:producer"),
        Predicate::FocusesOn => match subject {
            K::Deliverable | K::Event => Forward("schema:about"),
            _ => Forward("schema:knowsAbout"),
        },
        Predicate::Discussed => Forward("dcterms:subject"),
        Predicate::Authored => Backward("schema:author"),
        Predicate::CreditedIn => Backward("schema:contributor"),
        Predicate::PartOf => match (subject, object) {
            (K::Organisation, K::Organisation) => Forward("org:subOrganizationOf"),
            (K::Event, K::Event) => Forward("schema:superEvent"),
            (K::Topic, K::Topic) => Forward("skos:broader"),
            _ => Forward("dcterms:isPartOf"),
        },
        Predicate::Established => Backward("schema:founder"),
        Predicate::Supports => match object {
            K::Topic => Forward("org:purpose"),
            _ => Backward("schema:sponsor"),
        },
    }
}

/// The types of a node of `kind`; `detail` is the node's own answer, whose kind of
/// organisation, deliverable or source narrows them.
fn types(kind: NodeKind, detail: Option<&Value>) -> Vec<&'static str> {
    let narrower = |field: &str| {
        detail
            .and_then(|node| text(node, field))
            .unwrap_or_default()
    };
    match kind {
        NodeKind::Partnership => vec!["schema:Organization", "org:OrganizationalCollaboration"],
        NodeKind::WorkingGroup => vec!["schema:Organization", "org:OrganizationalUnit"],
        NodeKind::Event => vec!["schema:Event"],
        NodeKind::Person => vec!["schema:Person", "foaf:Person"],
        NodeKind::Country => vec!["schema:Country"],
        NodeKind::Organisation => {
            let mut types = vec!["schema:Organization", "org:Organization"];
            types.extend_from_slice(match narrower("organisationKind") {
                "GOVERNMENT_AGENCY" => &["schema:GovernmentOrganization", "org:FormalOrganization"],
                "INTERNATIONAL_ORGANISATION" | "ACADEMIC" => &["org:FormalOrganization"],
                "COMPANY" => &["schema:Corporation", "org:FormalOrganization"],
                "NON_GOVERNMENTAL" => &["schema:NGO", "org:FormalOrganization"],
                "ORGANISATIONAL_UNIT" => &["org:OrganizationalUnit"],
                _ => &[],
            });
            types
        }
        NodeKind::Deliverable => {
            let mut types = vec!["schema:CreativeWork"];
            types.extend(match narrower("deliverableKind") {
                "REPORT" => Some("schema:Report"),
                "PORTAL" => Some("schema:WebSite"),
                _ => None,
            });
            types
        }
        NodeKind::Topic => vec!["schema:DefinedTerm", "skos:Concept"],
        NodeKind::Source => {
            let mut types = vec!["schema:CreativeWork"];
            types.extend(match narrower("sourceKind") {
                "ARTICLE" => Some("schema:Article"),
                "REPORT" => Some("schema:Report"),
                "WEB_PAGE" => Some("schema:WebPage"),
                "DATASET" => Some("schema:Dataset"),
                _ => None,
            });
            types
        }
    }
}

/// The string at `field` of `value`, if there is one.
fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

/// Appends `value` to the array at `property`, making it if need be.
fn push(object: &mut Map<String, Value>, property: &str, value: Value) {
    match object
        .entry(property)
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(values) => values.push(value),
        other => *other = Value::Array(vec![other.take(), value]),
    }
}

/// A partial date (`2021`, `2021-06`, `2021-06-30`) as a typed literal, with the OWL-Time
/// property that places an instant at it.
fn partial_date(date: &str) -> Option<(Value, &'static str)> {
    let (datatype, property) = match date.len() {
        4 => ("xsd:gYear", "time:inXSDgYear"),
        7 => ("xsd:gYearMonth", "time:inXSDgYearMonth"),
        10 => ("xsd:date", "time:inXSDDate"),
        _ => return None,
    };
    Some((json!({ "@value": date, "@type": datatype }), property))
}

/// A `schema:PropertyValue` naming an identifier `value` in scheme `scheme`.
fn identifier(scheme: &str, value: &str) -> Value {
    json!({
        "@type": "schema:PropertyValue",
        "schema:propertyID": scheme,
        "schema:value": value
    })
}

/// The URI of an identifier in another system, for the schemes that have a stable one.
fn external_uri(scheme: &str, value: &str) -> Option<String> {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match scheme {
        // The entity URI Wikidata gives every item, as in its own RDF.
        "wikidata" if value.strip_prefix('Q').is_some_and(digits) => {
            Some(format!("http://www.wikidata.org/entity/{value}"))
        }
        "orcid"
            if value.len() == 19
                && value.split('-').count() == 4
                && value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'X') =>
        {
            Some(format!("https://orcid.org/{value}"))
        }
        "ror" if value.len() == 9 && value.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Some(format!("https://ror.org/{value}"))
        }
        _ => None,
    }
}

/// The UN M49 code and name of a region, as the GraphQL `Region` enum names it.
fn region(region: &str) -> Option<(&'static str, &'static str)> {
    Some(match region {
        "AFRICA" => ("002", "Africa"),
        "AMERICAS" => ("019", "Americas"),
        "ASIA" => ("142", "Asia"),
        "EUROPE" => ("150", "Europe"),
        "OCEANIA" => ("009", "Oceania"),
        _ => return None,
    })
}

/// Makes the JSON-LD documents of nodes whose public URLs start with `base`.
pub struct Writer<'a> {
    base: &'a str,
    kinds: &'a [Kind],
}

impl<'a> Writer<'a> {
    /// A writer naming nodes of `kinds` with public URLs under `base`.
    pub fn new(base: &'a str, kinds: &'a [Kind]) -> Self {
        Self { base, kinds }
    }

    /// The public URL of the node of `kind` with `slug`.
    pub fn url(&self, kind: NodeKind, slug: &str) -> String {
        let segment = self
            .kinds
            .iter()
            .find(|k| k.kind == kind)
            .map_or("", |k| k.segment.as_str());
        format!("{}/id/{segment}/{slug}", self.base)
    }

    fn kind_named(&self, type_name: &str) -> Option<NodeKind> {
        self.kinds
            .iter()
            .find(|k| k.type_name == type_name)
            .map(|k| k.kind)
    }

    /// Another node, by its public URL, with its types and name.
    fn reference(&self, node: &Value) -> Option<(NodeKind, Value)> {
        let kind = self.kind_named(text(node, "__typename")?)?;
        let mut reference = Map::new();
        reference.insert("@id".into(), self.url(kind, text(node, "slug")?).into());
        reference.insert("@type".into(), json!(types(kind, None)));
        if let Some(name) = text(node, "name") {
            reference.insert("schema:name".into(), name.into());
        }
        Some((kind, Value::Object(reference)))
    }

    /// A source stating a fact, by its public URL, with its types, title and address.
    fn source(&self, source: &Value) -> Option<Value> {
        let mut described = Map::new();
        described.insert(
            "@id".into(),
            self.url(NodeKind::Source, text(source, "slug")?).into(),
        );
        described.insert("@type".into(), json!(types(NodeKind::Source, Some(source))));
        if let Some(name) = text(source, "name") {
            described.insert("schema:name".into(), name.into());
        }
        if let Some(url) = text(source, "url") {
            described.insert("schema:url".into(), json!({ "@id": url }));
        }
        Some(Value::Object(described))
    }

    /// The JSON-LD document of `node`, the answer of the describing query for a node of `kind`;
    /// `None` when the answer lacks what every node has.
    pub fn document(&self, kind: NodeKind, node: &Value) -> Option<Value> {
        let mut doc = Map::new();
        doc.insert("@context".into(), context());
        doc.insert("@id".into(), self.url(kind, text(node, "slug")?).into());
        doc.insert("@type".into(), json!(types(kind, Some(node))));
        doc.insert("schema:name".into(), text(node, "name")?.into());
        if let Some(summary) = text(node, "summary") {
            doc.insert("schema:description".into(), summary.into());
        }
        self.own_properties(kind, node, &mut doc);

        let mut identifiers = Vec::new();
        let mut same_as = Vec::new();
        if kind == NodeKind::Country
            && let (Some(alpha2), Some(alpha3), Some(numeric)) = (
                text(node, "code"),
                text(node, "alpha3"),
                text(node, "numericCode"),
            )
        {
            identifiers.push(identifier("ISO 3166-1 alpha-2", alpha2));
            identifiers.push(identifier("ISO 3166-1 alpha-3", alpha3));
            identifiers.push(identifier("ISO 3166-1 numeric", numeric));
            // The code's page on ISO's Online Browsing Platform, ISO's own reference for it.
            same_as.push(json!({
                "@id": format!("https://www.iso.org/obp/ui/#iso:code:3166:{alpha2}")
            }));
        }
        for external in node
            .get("externalIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(scheme), Some(value)) = (text(external, "scheme"), text(external, "value"))
            else {
                continue;
            };
            identifiers.push(identifier(scheme, value));
            if let Some(uri) = external_uri(scheme, value) {
                same_as.push(json!({ "@id": uri }));
            }
        }
        if !identifiers.is_empty() {
            doc.insert("schema:identifier".into(), Value::Array(identifiers));
        }
        if !same_as.is_empty() {
            doc.insert("schema:sameAs".into(), Value::Array(same_as));
        }

        let mut reverse = Map::new();
        for edge in node
            .pointer("/relationships/edges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.relationship(kind, edge, &mut doc, &mut reverse);
        }

        let sources: Vec<Value> = node
            .get("sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|source| self.source(source))
            .collect();
        if !sources.is_empty() {
            doc.insert("dcterms:source".into(), Value::Array(sources));
        }
        if !reverse.is_empty() {
            doc.insert("@reverse".into(), Value::Object(reverse));
        }
        Some(Value::Object(doc))
    }

    /// The fields of the node's own kind.
    fn own_properties(&self, kind: NodeKind, node: &Value, doc: &mut Map<String, Value>) {
        let date = |field: &str, property: &str, doc: &mut Map<String, Value>| {
            if let Some((value, _)) = text(node, field).and_then(partial_date) {
                doc.insert(property.into(), value);
            }
        };
        if let Some(short_name) = text(node, "shortName") {
            doc.insert("schema:alternateName".into(), short_name.into());
        }
        match kind {
            NodeKind::Partnership => date("established", "schema:foundingDate", doc),
            NodeKind::Event => {
                date("startsOn", "schema:startDate", doc);
                date("endsOn", "schema:endDate", doc);
                if let Some(location) = text(node, "location") {
                    push(
                        doc,
                        "schema:location",
                        json!({ "@type": "schema:Place", "schema:name": location }),
                    );
                }
                let mode = match text(node, "format") {
                    Some("IN_PERSON") => Some("schema:OfflineEventAttendanceMode"),
                    Some("VIRTUAL") => Some("schema:OnlineEventAttendanceMode"),
                    Some("HYBRID") => Some("schema:MixedEventAttendanceMode"),
                    _ => None,
                };
                if let Some(mode) = mode {
                    doc.insert("schema:eventAttendanceMode".into(), json!({ "@id": mode }));
                }
            }
            NodeKind::Person => {
                if let Some(honorific) = text(node, "honorific") {
                    doc.insert("schema:honorificPrefix".into(), honorific.into());
                }
                if let Some(title) = text(node, "title") {
                    doc.insert("schema:jobTitle".into(), title.into());
                }
            }
            NodeKind::Country => {
                if let Some(official) = text(node, "officialName") {
                    doc.insert("schema:alternateName".into(), official.into());
                }
                if let Some((code, name)) = text(node, "region").and_then(region) {
                    doc.insert(
                        "schema:containedInPlace".into(),
                        json!({
                            "@type": "schema:Place",
                            "schema:name": name,
                            "schema:identifier": identifier("UN M49", code)
                        }),
                    );
                }
            }
            NodeKind::Deliverable | NodeKind::Source => {
                date("published", "schema:datePublished", doc);
                if let Some(url) = text(node, "url") {
                    doc.insert("schema:url".into(), json!({ "@id": url }));
                }
                if let Some(publisher) = text(node, "publisher") {
                    doc.insert(
                        "schema:publisher".into(),
                        json!({ "@type": "schema:Organization", "schema:name": publisher }),
                    );
                }
                if let Some(licence) = text(node, "licence") {
                    doc.insert("schema:license".into(), licence.into());
                }
            }
            NodeKind::Topic => {
                if let Some(name) = text(node, "name") {
                    doc.insert("skos:prefLabel".into(), name.into());
                }
            }
            NodeKind::WorkingGroup | NodeKind::Organisation => {}
        }
    }

    /// Says one relationship of a node of `kind`: as a property of the node (`doc`) when the
    /// node is where the property starts, as a reverse property (`reverse`) when it is where
    /// the property ends.
    fn relationship(
        &self,
        kind: NodeKind,
        edge: &Value,
        doc: &mut Map<String, Value>,
        reverse: &mut Map<String, Value>,
    ) {
        let Some(predicate) = text(edge, "predicate")
            .and_then(|name| Predicate::try_from_value(&name.to_owned()).ok())
        else {
            return;
        };
        let Some((other_kind, other)) = edge.get("node").and_then(|node| self.reference(node))
        else {
            return;
        };
        let outgoing = text(edge, "direction") == Some("OUTGOING");
        let (subject, object) = if outgoing {
            (kind, other_kind)
        } else {
            (other_kind, kind)
        };
        // From the node (the subject when outgoing) to the other, or back.
        let mut link = |from_node: bool, property: &str, value: Value| {
            if from_node {
                push(doc, property, value);
            } else {
                push(reverse, property, value);
            }
        };
        match mapping(predicate, subject, object) {
            Mapping::Forward(property) => link(outgoing, property, other),
            Mapping::Backward(property) => link(!outgoing, property, other),
            Mapping::Membership { direct, role } => {
                if let Some(property) = direct {
                    link(outgoing, property, other.clone());
                }
                let mut membership = Map::new();
                membership.insert("@type".into(), "org:Membership".into());
                // The node's own place in the membership is said by the reverse property.
                let (own, others) = if outgoing {
                    ("org:member", "org:organization")
                } else {
                    ("org:organization", "org:member")
                };
                membership.insert(others.into(), other);
                if let Some(role) = text(edge, "role").or(role) {
                    membership.insert(
                        "org:role".into(),
                        json!({ "@type": "org:Role", "skos:prefLabel": role }),
                    );
                }
                let mut period = Map::new();
                period.insert("@type".into(), "time:Interval".into());
                for (field, property) in [
                    ("validFrom", "time:hasBeginning"),
                    ("validTo", "time:hasEnd"),
                ] {
                    if let Some((date, place)) = text(edge, field).and_then(partial_date) {
                        period.insert(
                            property.into(),
                            json!({ "@type": "time:Instant", place: date }),
                        );
                    }
                }
                if period.len() > 1 {
                    membership.insert("org:memberDuring".into(), Value::Object(period));
                }
                let sources: Vec<Value> = edge
                    .get("citations")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|citation| citation.get("source"))
                    .filter_map(|source| self.source(source))
                    .collect();
                if !sources.is_empty() {
                    membership.insert("dcterms:source".into(), Value::Array(sources));
                }
                push(reverse, own, Value::Object(membership));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable as _;

    use super::*;

    fn writer_kinds() -> Vec<Kind> {
        super::super::kinds::kinds()
    }

    #[test]
    fn every_predicate_between_every_pair_of_kinds_it_allows_is_said() {
        for predicate in Predicate::iter() {
            for subject in NodeKind::iter() {
                for object in NodeKind::iter() {
                    if !predicate.allows(subject, object) {
                        continue;
                    }
                    let property = match mapping(predicate, subject, object) {
                        Mapping::Forward(p) | Mapping::Backward(p) => p,
                        Mapping::Membership { direct, role } => {
                            assert!(direct.is_some() || role.is_some(), "{predicate:?}");
                            direct.unwrap_or("org:Membership")
                        }
                    };
                    let prefix = property.split(':').next().unwrap_or_default();
                    assert!(context().get(prefix).is_some(), "{property}");
                }
            }
        }
    }

    #[test]
    fn partial_dates_keep_their_precision() {
        assert_eq!(
            partial_date("2021"),
            Some((
                json!({ "@value": "2021", "@type": "xsd:gYear" }),
                "time:inXSDgYear"
            ))
        );
        assert_eq!(
            partial_date("2021-06").map(|d| d.1),
            Some("time:inXSDgYearMonth")
        );
        assert_eq!(
            partial_date("2021-06-30").map(|d| d.1),
            Some("time:inXSDDate")
        );
        assert_eq!(partial_date("21"), None);
    }

    #[test]
    fn only_well_formed_identifiers_of_known_schemes_become_uris() {
        assert_eq!(
            external_uri("wikidata", "Q334").as_deref(),
            Some("http://www.wikidata.org/entity/Q334")
        );
        assert_eq!(external_uri("wikidata", "Q"), None);
        assert_eq!(external_uri("wikidata", "Q33 4"), None);
        assert_eq!(
            external_uri("orcid", "0000-0002-1825-0097").as_deref(),
            Some("https://orcid.org/0000-0002-1825-0097")
        );
        assert_eq!(
            external_uri("ror", "00f54p054").as_deref(),
            Some("https://ror.org/00f54p054")
        );
        assert_eq!(external_uri("ror", "../x"), None);
        assert_eq!(external_uri("twitter", "govgraph"), None);
    }

    #[test]
    fn a_membership_is_said_from_both_ends() {
        let kinds = writer_kinds();
        let writer = Writer::new("https://govgraph.example.org", &kinds);
        let edge = |direction: &str, typename: &str, slug: &str| {
            json!({
                "predicate": "CO_CHAIRS",
                "direction": direction,
                "role": null,
                "validFrom": "2021",
                "validTo": "2021-12",
                "node": { "__typename": typename, "slug": slug, "name": slug },
                "citations": []
            })
        };
        let country = json!({
            "__typename": "Country", "slug": "sg", "name": "Singapore",
            "relationships": { "edges": [edge("OUTGOING", "WorkingGroup", "wg")] }
        });
        let doc = writer
            .document(NodeKind::Country, &country)
            .expect("a document");
        let membership = &doc["@reverse"]["org:member"][0];
        assert_eq!(membership["@type"], "org:Membership");
        assert_eq!(
            membership["org:organization"]["@id"],
            "https://govgraph.example.org/id/working-group/wg"
        );
        assert_eq!(membership["org:role"]["skos:prefLabel"], "co-chair");
        assert_eq!(
            membership["org:memberDuring"]["time:hasBeginning"]["time:inXSDgYear"]["@value"],
            "2021"
        );
        assert_eq!(
            membership["org:memberDuring"]["time:hasEnd"]["time:inXSDgYearMonth"]["@value"],
            "2021-12"
        );

        let group = json!({
            "__typename": "WorkingGroup", "slug": "wg", "name": "WG",
            "relationships": { "edges": [edge("INCOMING", "Country", "sg")] }
        });
        let doc = writer
            .document(NodeKind::WorkingGroup, &group)
            .expect("a document");
        let membership = &doc["@reverse"]["org:organization"][0];
        assert_eq!(
            membership["org:member"]["@id"],
            "https://govgraph.example.org/id/country/sg"
        );
        assert_eq!(membership["org:member"]["@type"], json!(["schema:Country"]));
    }

    #[test]
    fn a_link_with_a_property_running_the_other_way_is_a_reverse_property() {
        let kinds = writer_kinds();
        let writer = Writer::new("https://govgraph.example.org", &kinds);
        let organiser = json!({
            "__typename": "Organisation", "slug": "govtech-singapore", "name": "GovTech Singapore",
            "relationships": { "edges": [{
                "predicate": "ORGANISES", "direction": "OUTGOING",
                "node": { "__typename": "Event", "slug": "dgx-2022", "name": "DGX 2022" }
            }] }
        });
        let doc = writer
            .document(NodeKind::Organisation, &organiser)
            .expect("a document");
        assert_eq!(
            doc["@reverse"]["schema:organizer"][0]["@id"],
            "https://govgraph.example.org/id/event/dgx-2022"
        );
        assert!(doc.get("schema:organizer").is_none());
    }
}
