//! `/id/{kind}/{slug}`: each node's public URL, answering with its JSON-LD, a redirect to
//! GraphiQL for a browser, or a clear error.

use chrono::Utc;
use govgraph_entities::{NodeKind, Predicate, edge, external_id, node};
use json_ld::expansion::{Action, Policy};
use json_ld::{JsonLdProcessor as _, NoLoader, Options, RemoteDocument};
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION, VARY};
use reqwest::{StatusCode, Url};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

/// The public base URL the tests configure: every `@id` starts with it, whatever address the
/// server listens on.
const BASE: &str = "https://govgraph.example.org";

/// What a browser sends.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

const SCHEMA: &str = "http://schema.org/";
const ORG: &str = "http://www.w3.org/ns/org#";
const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";

async fn spawn() -> TestApp {
    TestApp::spawn_configured(|settings| settings.public_url = BASE.to_owned()).await
}

fn id(path: &str) -> String {
    format!("{BASE}{path}")
}

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = client().get(app.url(path));
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    request.send().await.expect("request sent")
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The JSON-LD of the node at `path`, checked to be served as JSON-LD.
async fn json_ld(app: &TestApp, path: &str) -> (String, Value) {
    let response = get(app, path, Some("application/ld+json")).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(header(&response, CONTENT_TYPE), "application/ld+json");
    let text = response.text().await.expect("a body");
    let document = serde_json::from_str(&text).expect("the document is JSON");
    (text, document)
}

/// The RDF triples of a JSON-LD document, each written as N-Triples writes it, as a JSON-LD
/// processor reads them: one that loads nothing and refuses a term it cannot expand.
pub(crate) async fn triples(text: &str) -> Vec<String> {
    use json_ld::syntax::Parse as _;
    let (value, _) = json_ld::syntax::Value::parse_str(text).expect("JSON");
    let document = RemoteDocument::new(None::<json_ld::IriBuf>, None, value);
    let options = Options {
        expansion_policy: Policy {
            invalid: Action::Reject,
            vocab: Action::Reject,
            allow_undefined: false,
        },
        ..Options::default()
    };
    let mut generator = json_ld::rdf_types::generator::Blank::new();
    let mut rdf = document
        .to_rdf_using(&mut generator, &NoLoader, options)
        .await
        .expect("the document is JSON-LD");
    rdf.cloned_quads().map(|quad| quad.to_string()).collect()
}

/// The vocabularies the documentation names.
const VOCABULARIES: [&str; 6] = [
    "<http://schema.org/",
    "<http://www.w3.org/ns/org#",
    "<http://xmlns.com/foaf/0.1/",
    "<http://www.w3.org/2004/02/skos/core#",
    "<http://purl.org/dc/terms/",
    "<http://www.w3.org/2006/time#",
];

/// Every predicate and every type of `triples` is a term of one of [`VOCABULARIES`].
pub(crate) fn in_known_vocabularies(triples: &[String]) {
    let known = |term: &str| VOCABULARIES.iter().any(|v| term.starts_with(v));
    for triple in triples {
        let mut parts = triple.splitn(3, ' ');
        let (_, predicate, object) = (parts.next(), parts.next(), parts.next());
        let (predicate, object) = (predicate.unwrap_or_default(), object.unwrap_or_default());
        if predicate == RDF_TYPE {
            assert!(known(object), "{triple}");
        } else {
            assert!(known(predicate), "{triple}");
        }
    }
}

fn ids(values: &Value) -> Vec<String> {
    values
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {values:#}"))
        .iter()
        .map(|value| value["@id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn has(triples: &[String], triple: &str) -> bool {
    triples.iter().any(|t| t == triple)
}

#[tokio::test]
async fn a_country_is_described_with_its_codes_sources_and_working_groups() {
    let app = spawn().await;
    let singapore = app.store.node(NodeKind::Country, "sg").await.id;
    external_id::Entity::insert(external_id::ActiveModel::from(external_id::Model {
        scheme: "wikidata".to_owned(),
        value: "Q334".to_owned(),
        node_id: singapore,
    }))
    .exec(&app.store.db)
    .await
    .expect("external id inserted");

    let (text, doc) = json_ld(&app, "/id/country/sg").await;
    assert_eq!(doc["@id"], id("/id/country/sg"));
    assert_eq!(doc["@type"], json!(["schema:Country"]));
    assert_eq!(doc["schema:name"], "Singapore");
    assert_eq!(doc["schema:alternateName"], "The Republic of Singapore");
    let identifiers: Vec<(String, String)> = doc["schema:identifier"]
        .as_array()
        .expect("identifiers")
        .iter()
        .map(|identifier| {
            assert_eq!(identifier["@type"], "schema:PropertyValue");
            (
                identifier["schema:propertyID"].as_str().unwrap().to_owned(),
                identifier["schema:value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (scheme, value) in [
        ("ISO 3166-1 alpha-2", "SG"),
        ("ISO 3166-1 alpha-3", "SGP"),
        ("ISO 3166-1 numeric", "702"),
        ("wikidata", "Q334"),
    ] {
        assert!(
            identifiers.contains(&(scheme.to_owned(), value.to_owned())),
            "{scheme} {value} in {identifiers:?}"
        );
    }
    assert_eq!(
        ids(&doc["schema:sameAs"]),
        [
            "https://www.iso.org/obp/ui/#iso:code:3166:SG",
            "http://www.wikidata.org/entity/Q334"
        ]
    );
    assert_eq!(doc["schema:containedInPlace"]["schema:name"], "Asia");
    assert_eq!(
        ids(&doc["org:memberOf"]),
        [id("/id/working-group/world-bank-cloud-computing")]
    );
    assert_eq!(doc["org:memberOf"][0]["@type"][1], "org:OrganizationalUnit");
    // The event it hosts is held in it.
    assert_eq!(
        ids(&doc["@reverse"]["schema:location"]),
        [id("/id/event/dgx-2022")]
    );
    assert_eq!(
        ids(&doc["org:purpose"]),
        [id("/id/topic/govtech-community-building")]
    );
    // Its memberships: a member (as a co-chair), and co-chair in 2021.
    let memberships = doc["@reverse"]["org:member"]
        .as_array()
        .expect("memberships");
    assert_eq!(memberships.len(), 2, "{memberships:#?}");
    for membership in memberships {
        assert_eq!(membership["@type"], "org:Membership");
        assert_eq!(
            membership["org:organization"]["@id"],
            id("/id/working-group/world-bank-cloud-computing")
        );
        assert_eq!(membership["org:role"]["skos:prefLabel"], "co-chair");
        assert_eq!(
            ids(&membership["dcterms:source"]),
            [id("/id/source/dgx-brings-govtech-community-together")]
        );
    }
    assert!(memberships.iter().any(|m| {
        m["org:memberDuring"]["time:hasBeginning"]["time:inXSDgYear"]
            == json!({ "@value": "2021", "@type": "xsd:gYear" })
            && m["org:memberDuring"]["time:hasEnd"]["time:inXSDgYear"]["@value"] == "2021"
    }));
    let sources = doc["dcterms:source"].as_array().expect("sources");
    assert_eq!(sources[0]["@id"], id("/id/source/iso-3166-1"));
    assert_eq!(
        sources[0]["schema:url"]["@id"],
        "https://www.iso.org/iso-3166-country-codes.html"
    );

    // A JSON-LD processor reads the same facts.
    let triples = triples(&text).await;
    in_known_vocabularies(&triples);
    let sg = format!("<{}>", id("/id/country/sg"));
    let group = format!("<{}>", id("/id/working-group/world-bank-cloud-computing"));
    for triple in [
        format!("{sg} {RDF_TYPE} <{SCHEMA}Country>"),
        format!("{sg} <{SCHEMA}name> \"Singapore\""),
        format!("{sg} <{ORG}memberOf> {group}"),
        format!("{sg} <{SCHEMA}sameAs> <https://www.iso.org/obp/ui/#iso:code:3166:SG>"),
        format!("<{}> <{SCHEMA}location> {sg}", id("/id/event/dgx-2022")),
    ] {
        assert!(has(&triples, &triple), "{triple} not in {triples:#?}");
    }
    let memberships: Vec<&str> = triples
        .iter()
        .filter_map(|t| t.strip_suffix(&format!(" <{ORG}member> {sg}")))
        .collect();
    assert_eq!(memberships.len(), 2, "{triples:#?}");
    for membership in memberships {
        assert!(has(
            &triples,
            &format!("{membership} <{ORG}organization> {group}")
        ));
        assert!(has(
            &triples,
            &format!("{membership} {RDF_TYPE} <{ORG}Membership>")
        ));
    }
    assert!(
        triples.iter().any(|t| t.ends_with(
            "<http://www.w3.org/2006/time#inXSDgYear> \"2021\"^^<http://www.w3.org/2001/XMLSchema#gYear>"
        )),
        "{triples:#?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_working_group_lists_its_members_and_co_chairs_with_roles_and_dates() {
    let app = spawn().await;
    let (text, doc) = json_ld(&app, "/id/working-group/world-bank-cloud-computing").await;
    assert_eq!(
        doc["@id"],
        id("/id/working-group/world-bank-cloud-computing")
    );
    assert_eq!(
        doc["@type"],
        json!(["schema:Organization", "org:OrganizationalUnit"])
    );
    assert_eq!(
        doc["schema:name"],
        "World Bank Working Group on Cloud Computing"
    );
    assert!(
        doc["schema:description"]
            .as_str()
            .unwrap()
            .starts_with("Co-chaired by Singapore and the United Kingdom")
    );
    let countries = |codes: &[&str]| -> Vec<String> {
        let mut urls: Vec<String> = codes
            .iter()
            .map(|code| id(&format!("/id/country/{code}")))
            .collect();
        urls.sort();
        urls
    };
    let mut members = ids(&doc["@reverse"]["org:memberOf"]);
    members.sort();
    assert_eq!(
        members,
        countries(&["ae", "ch", "gb", "il", "in", "jp", "kr", "sg", "uy"])
    );
    let memberships = doc["@reverse"]["org:organization"]
        .as_array()
        .expect("memberships");
    let with = |role: &str, dated: bool| -> Vec<String> {
        let mut urls: Vec<String> = memberships
            .iter()
            .filter(|m| {
                m["org:role"]["skos:prefLabel"] == role
                    && m.get("org:memberDuring").is_some() == dated
            })
            .map(|m| m["org:member"]["@id"].as_str().unwrap().to_owned())
            .collect();
        urls.sort();
        urls
    };
    assert_eq!(with("co-chair", true), countries(&["gb", "sg"]));
    assert_eq!(with("co-chair", false), countries(&["gb", "sg"]));
    assert_eq!(
        with("member", false),
        countries(&["ae", "ch", "il", "in", "jp", "kr", "uy"])
    );
    assert_eq!(memberships.len(), 11);
    let co_chair = memberships
        .iter()
        .find(|m| m.get("org:memberDuring").is_some())
        .unwrap();
    assert_eq!(co_chair["org:member"]["@type"], json!(["schema:Country"]));
    assert_eq!(
        co_chair["org:memberDuring"],
        json!({
            "@type": "time:Interval",
            "time:hasBeginning": {
                "@type": "time:Instant",
                "time:inXSDgYear": { "@value": "2021", "@type": "xsd:gYear" }
            },
            "time:hasEnd": {
                "@type": "time:Instant",
                "time:inXSDgYear": { "@value": "2021", "@type": "xsd:gYear" }
            }
        })
    );
    assert_eq!(
        ids(&doc["@reverse"]["org:hasSubOrganization"]),
        [id("/id/organisation/world-bank")]
    );
    let mut topics = ids(&doc["schema:knowsAbout"]);
    topics.sort();
    assert_eq!(
        topics,
        [
            id("/id/topic/cloud-computing"),
            id("/id/topic/country-driven-co-development"),
            id("/id/topic/knowledge-sharing")
        ]
    );
    assert_eq!(
        ids(&doc["dcterms:source"]),
        [id("/id/source/dgx-brings-govtech-community-together")]
    );

    let triples = triples(&text).await;
    in_known_vocabularies(&triples);
    let group = format!("<{}>", id("/id/working-group/world-bank-cloud-computing"));
    for code in ["sg", "uy"] {
        let country = format!("<{}>", id(&format!("/id/country/{code}")));
        assert!(has(&triples, &format!("{country} <{ORG}memberOf> {group}")));
    }
    let roles: Vec<&String> = triples
        .iter()
        .filter(|t| t.contains(&format!("<{ORG}role>")))
        .collect();
    assert_eq!(roles.len(), 11, "{triples:#?}");
    app.stop().await;
}

#[tokio::test]
async fn every_kind_has_linked_data_of_its_types() {
    let app = spawn().await;
    for (path, types) in [
        (
            "/id/partnership/dgx",
            json!(["schema:Organization", "org:OrganizationalCollaboration"]),
        ),
        (
            "/id/working-group/dgx-2022-ai",
            json!(["schema:Organization", "org:OrganizationalUnit"]),
        ),
        ("/id/event/dgx-2022", json!(["schema:Event"])),
        (
            "/id/person/cheow-hoe-chan",
            json!(["schema:Person", "foaf:Person"]),
        ),
        ("/id/country/gb", json!(["schema:Country"])),
        (
            "/id/organisation/world-bank-governance-global-practice",
            json!([
                "schema:Organization",
                "org:Organization",
                "org:OrganizationalUnit"
            ]),
        ),
        (
            "/id/deliverable/dgx-2022-ai-good-practices-mvp",
            json!(["schema:CreativeWork"]),
        ),
        (
            "/id/topic/zero-trust",
            json!(["schema:DefinedTerm", "skos:Concept"]),
        ),
        (
            "/id/source/dgx-brings-govtech-community-together",
            json!(["schema:CreativeWork", "schema:Article"]),
        ),
    ] {
        let (text, doc) = json_ld(&app, path).await;
        assert_eq!(doc["@id"], id(path));
        assert_eq!(doc["@type"], types, "{path}");
        assert!(doc["schema:name"].is_string(), "{path}");
        let triples = triples(&text).await;
        in_known_vocabularies(&triples);
        assert!(triples.len() > 3, "{path}: {triples:#?}");
    }
    let (_, event) = json_ld(&app, "/id/event/dgx-2022").await;
    assert_eq!(
        event["schema:startDate"],
        json!({ "@value": "2022", "@type": "xsd:gYear" })
    );
    assert_eq!(
        event["schema:eventAttendanceMode"]["@id"],
        "schema:OfflineEventAttendanceMode"
    );
    assert_eq!(
        ids(&event["schema:location"]),
        ["", &id("/id/country/sg")],
        "the location in words, then the host country"
    );
    assert_eq!(
        ids(&event["schema:organizer"]),
        [id("/id/organisation/govtech-singapore")]
    );
    assert_eq!(event["schema:attendee"].as_array().map(Vec::len), Some(16));
    assert_eq!(ids(&event["dcterms:isPartOf"]), [id("/id/partnership/dgx")]);
    let (_, source) = json_ld(&app, "/id/source/dgx-brings-govtech-community-together").await;
    assert_eq!(
        source["schema:publisher"]["schema:name"],
        "World Bank Blogs"
    );
    assert_eq!(
        source["schema:datePublished"],
        json!({ "@value": "2022", "@type": "xsd:gYear" })
    );
    let mut authors = ids(&source["schema:author"]);
    authors.sort();
    assert_eq!(
        authors,
        [
            id("/id/person/cheow-hoe-chan"),
            id("/id/person/joao-ricardo-vasconcelos")
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_browser_is_sent_to_graphiql_with_the_query_that_fetches_the_node() {
    let app = spawn().await;
    let response = get(
        &app,
        "/id/working-group/world-bank-cloud-computing",
        Some(BROWSER),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(header(&response, VARY).contains("Accept"));
    let location = header(&response, LOCATION);
    assert!(location.starts_with("/?"), "{location}");
    let url = Url::parse(&app.url(&location)).expect("a URL");
    let parameter = |name: &str| {
        url.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .unwrap_or_else(|| panic!("no {name} in {location}"))
    };
    let (query, variables) = (parameter("query"), parameter("variables"));
    assert_eq!(parameter("operationName"), "LinkedData");
    let variables: Value = serde_json::from_str(&variables).expect("JSON variables");
    assert_eq!(variables, json!({ "key": "world-bank-cloud-computing" }));

    // The query, posted as GraphiQL posts it, fetches that node.
    let data = app.data(&query, variables).await;
    assert_eq!(data["node"]["__typename"], "WorkingGroup");
    assert_eq!(data["node"]["slug"], "world-bank-cloud-computing");
    assert_eq!(
        data["node"]["name"],
        "World Bank Working Group on Cloud Computing"
    );

    // The page it leads to is GraphiQL's.
    let page = get(&app, &location, Some(BROWSER)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header(&page, CONTENT_TYPE).starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("GraphiQL"));

    // A country's page uses its code.
    let response = get(&app, "/id/country/gb", Some(BROWSER)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(header(&response, LOCATION).contains("country%28code%3A+%24key%29"));
    app.stop().await;
}

#[tokio::test]
async fn qualities_choose_between_json_ld_json_and_graphiql() {
    let app = spawn().await;
    let path = "/id/event/dgx-2022";
    for (accept, status, content_type) in [
        (None, StatusCode::OK, "application/ld+json"),
        (Some("*/*"), StatusCode::OK, "application/ld+json"),
        (Some("application/json"), StatusCode::OK, "application/json"),
        (
            Some("text/html;q=0.5, application/ld+json"),
            StatusCode::OK,
            "application/ld+json",
        ),
        (
            Some("application/ld+json;q=0, */*;q=0.1"),
            StatusCode::OK,
            "application/json",
        ),
        (
            Some("text/html, application/ld+json;q=0.9"),
            StatusCode::SEE_OTHER,
            "",
        ),
    ] {
        let response = get(&app, path, accept).await;
        assert_eq!(response.status(), status, "{accept:?}");
        assert_eq!(header(&response, CONTENT_TYPE), content_type, "{accept:?}");
        assert_eq!(header(&response, VARY), "Accept, Accept-Encoding");
        if status == StatusCode::OK {
            let doc: Value = response.json().await.expect("JSON");
            assert_eq!(doc["@id"], id(path));
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_type_nothing_is_offered_in_is_refused_with_406() {
    let app = spawn().await;
    for accept in ["image/png", "application/ld+json;q=0, text/*;q=0, image/*"] {
        let response = get(&app, "/id/country/sg", Some(accept)).await;
        assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE, "{accept}");
        assert!(header(&response, CONTENT_TYPE).starts_with("application/json"));
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("application/ld+json"), "{message}");
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_kinds_and_keys_are_not_found_with_a_code() {
    let app = spawn().await;
    for (path, words) in [
        ("/id/planet/earth", "there is no kind `planet`"),
        ("/id/working_group/dgx-2022-ai", "there is no kind"),
        (
            "/id/event/no-such-event",
            "there is no event with slug `no-such-event`",
        ),
        (
            "/id/working-group/no-such-group",
            "there is no working group with slug",
        ),
        (
            "/id/country/zz",
            "there is no country with ISO 3166-1 code `zz`",
        ),
        (
            "/id/country/zzz",
            "there is no country with ISO 3166-1 code `zzz`",
        ),
        ("/id/country/toolong", "there is no country"),
        ("/id/event/bad%20slug", "there is no event"),
        ("/id/event/a--b", "there is no event"),
        ("/id/event", "node URLs are /id/{kind}/{slug}"),
        ("/id/event/dgx-2022/more", "node URLs are /id/{kind}/{slug}"),
    ] {
        for accept in [Some("application/ld+json"), Some(BROWSER), None] {
            let response = get(&app, path, accept).await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{path} {accept:?}"
            );
            assert!(header(&response, CONTENT_TYPE).starts_with("application/json"));
            let body: Value = response.json().await.expect("JSON");
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{path}"
            );
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(words), "{path}: {message}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn alpha3_codes_and_capitals_redirect_to_the_canonical_url() {
    let app = spawn().await;
    for (path, canonical) in [
        ("/id/country/sgp", "/id/country/sg"),
        ("/id/country/SGP", "/id/country/sg"),
        ("/id/country/GB", "/id/country/gb"),
        ("/id/event/DGX-2022", "/id/event/dgx-2022"),
    ] {
        for accept in ["application/ld+json", BROWSER] {
            let response = get(&app, path, Some(accept)).await;
            assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY, "{path}");
            assert_eq!(header(&response, LOCATION), canonical, "{path}");
        }
    }
    let response = get(&app, "/id/event/NO-SUCH-EVENT", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn head_answers_as_get_without_a_body_an_unchanged_document_is_not_sent_again_and_nothing_else_is_allowed()
 {
    let app = spawn().await;
    let path = "/id/partnership/gtgp";
    let response = get(&app, path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CACHE_CONTROL), "public, max-age=300");
    let tag = header(&response, ETAG);
    assert!(tag.starts_with("W/\""), "{tag}");

    let head = client()
        .head(app.url(path))
        .send()
        .await
        .expect("request sent");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(&head, CONTENT_TYPE), "application/ld+json");
    assert_eq!(header(&head, ETAG), tag);
    assert!(head.bytes().await.expect("no body").is_empty());

    let again = client()
        .get(app.url(path))
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("request sent");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.expect("no body").is_empty());

    for path in [path, "/id/elsewhere"] {
        let posted = client()
            .post(app.url(path))
            .send()
            .await
            .expect("request sent");
        assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&posted, reqwest::header::ALLOW), "GET, HEAD");
        let body: Value = posted.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    }
    app.stop().await;
}

#[tokio::test]
async fn under_the_public_profile_a_browser_gets_json_ld_as_there_is_no_graphiql() {
    let app = TestApp::spawn_configured(|settings| {
        settings.public_url = BASE.to_owned();
        settings.access.profile = govgraph_api::config::Profile::Public;
    })
    .await;
    let response = get(&app, "/id/country/sg", Some(BROWSER)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CONTENT_TYPE), "application/ld+json");
    let response = get(&app, "/id/country/sg", Some("text/html")).await;
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    app.stop().await;
}

/// The statements one `/id` request runs.
async fn statements_of(app: &TestApp, path: &str) -> Vec<String> {
    let before = app.statements();
    json_ld(app, path).await;
    app.store.statements_since(before)
}

#[tokio::test]
async fn a_node_costs_the_same_few_statements_whatever_its_degree() {
    let app = spawn().await;
    let path = "/id/working-group/world-bank-cloud-computing";
    let few = statements_of(&app, path).await;
    // The node, its sources, its external ids, its relationships, their sources.
    assert_eq!(few.len(), 5, "{few:#?}");

    let group = app
        .store
        .node(NodeKind::WorkingGroup, "world-bank-cloud-computing")
        .await
        .id;
    let countries: Vec<Uuid> = node::Entity::find()
        .filter(node::Column::Kind.eq(NodeKind::Country))
        .all(&app.store.db)
        .await
        .expect("countries")
        .into_iter()
        .map(|country| country.id)
        .take(120)
        .collect();
    let now = Utc::now();
    let edges: Vec<edge::ActiveModel> = countries
        .iter()
        .map(|country| {
            edge::Model {
                id: Uuid::new_v4(),
                subject_id: *country,
                predicate: Predicate::ParticipatesIn,
                object_id: group,
                role: Some("observer".to_owned()),
                valid_from: None,
                valid_to: None,
                created_at: now,
                updated_at: now,
                version: 1,
            }
            .into()
        })
        .collect();
    edge::Entity::insert_many(edges)
        .exec(&app.store.db)
        .await
        .expect("edges inserted");

    let many = statements_of(&app, path).await;
    assert_eq!(many.len(), few.len(), "{many:#?}");
    let (_, doc) = json_ld(&app, path).await;
    // One page of relationships, of which 15 are the group's own: the rest are the new ones.
    let observers = doc["dcterms:contributor"].as_array().map_or(0, Vec::len);
    assert!((85..=100).contains(&observers), "{observers}");
    app.stop().await;
}

#[tokio::test]
async fn the_query_behind_a_document_is_held_to_the_limits_and_counted_as_an_operation() {
    let app = TestApp::spawn_configured(|settings| {
        settings.public_url = BASE.to_owned();
        settings.limits.max_query_depth = 4;
    })
    .await;
    let before = app.statements();
    let response = get(&app, "/id/country/sg", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INTERNAL_SERVER_ERROR"
    );
    assert_eq!(app.statements(), before, "refused before any SQL");
    // The lookup behind a browser's redirect is shallow enough.
    let response = get(&app, "/id/country/sg", Some(BROWSER)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scraped")
        .text()
        .await
        .expect("metrics text");
    let lines = |name: &str, label: &str| -> Vec<String> {
        metrics
            .lines()
            .filter(|line| line.starts_with(name) && line.contains(label))
            .map(str::to_owned)
            .collect()
    };
    assert!(
        !lines(
            "http_server_request_duration_seconds_count",
            "http_route=\"/id/:kind/:key\""
        )
        .is_empty(),
        "{metrics}"
    );
    let operations = lines(
        "govgraph_graphql_operation_duration_seconds_count",
        "graphql_operation_type=\"query\"",
    );
    assert!(
        operations.iter().any(|line| line.ends_with(" 2")),
        "{operations:?}"
    );
    assert!(
        !lines(
            "govgraph_graphql_errors_total",
            "error_type=\"LIMIT_EXCEEDED\""
        )
        .is_empty(),
        "{metrics}"
    );
    app.stop().await;
}
