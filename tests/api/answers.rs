//! The questions the default data set must answer, asked as the README asks them.

use serde_json::json;

use crate::helpers::{TestApp, names, sorted};

fn strings(values: &[&str]) -> Vec<String> {
    let mut values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    values.sort();
    values
}

#[tokio::test]
async fn dgx_2022_was_attended_by_fourteen_countries_and_two_organisations_and_is_organised_by_govtech_singapore()
 {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              event(slug: "dgx-2022") {
                name edition format
                hostCountries { nodes { code } }
                participants(first: 50) {
                  totalCount
                  edges { role node { __typename name ... on Country { code } } }
                }
                organisers { nodes { name } }
                series { nodes { shortName organisers { nodes { name } } } }
              }
            }"#,
            json!({}),
        )
        .await;
    let event = &data["event"];
    assert_eq!(event["edition"], 7);
    assert_eq!(event["format"], "IN_PERSON");
    assert_eq!(event["hostCountries"]["nodes"], json!([{ "code": "SG" }]));
    assert_eq!(event["participants"]["totalCount"], 16);
    let edges = event["participants"]["edges"].as_array().expect("edges");
    let countries: Vec<String> = edges
        .iter()
        .filter(|e| e["node"]["__typename"] == "Country")
        .map(|e| e["node"]["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        sorted(countries),
        strings(&[
            "AU", "NL", "CA", "CN", "FI", "FR", "DE", "IL", "JP", "NZ", "KR", "SE", "GB", "US"
        ])
    );
    let organisations: Vec<String> = edges
        .iter()
        .filter(|e| e["node"]["__typename"] == "Organisation")
        .map(|e| e["node"]["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        sorted(organisations),
        strings(&["United Nations", "World Bank"])
    );
    assert!(edges.iter().all(|e| e["role"] == "attendee"));
    assert_eq!(
        event["organisers"]["nodes"],
        json!([{ "name": "GovTech Singapore" }])
    );
    assert_eq!(
        event["series"]["nodes"],
        json!([{ "shortName": "DGX", "organisers": { "nodes": [{ "name": "GovTech Singapore" }] } }])
    );
    app.stop().await;
}

#[tokio::test]
async fn dgx_2022_had_three_working_groups_with_their_focus_and_products() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              event(slug: "dgx-2022") {
                workingGroups {
                  nodes {
                    shortName
                    topics { nodes { name } }
                    discussed { nodes { name } }
                    deliverables { nodes { name deliverableKind } }
                  }
                }
              }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["event"]["workingGroups"]["nodes"],
        json!([
            {
                "shortName": "AI WG",
                "topics": { "nodes": [{ "name": "Artificial intelligence" }] },
                "discussed": { "nodes": [] },
                "deliverables": { "nodes": [{
                    "name": "Minimum Viable Product of good practices for AI projects",
                    "deliverableKind": "GUIDANCE"
                }] }
            },
            {
                "shortName": "Cybersecurity WG",
                "topics": { "nodes": [{ "name": "Cybersecurity" }] },
                "discussed": { "nodes": [{ "name": "Zero Trust" }] },
                "deliverables": { "nodes": [{
                    "name": "Insights on government and industry roles in Zero Trust",
                    "deliverableKind": "INSIGHTS"
                }] }
            },
            {
                "shortName": "Digital Identity WG",
                "topics": { "nodes": [{ "name": "Digital identity" }] },
                "discussed": { "nodes": [{ "name": "Digital identity" }, { "name": "Verifiable Credentials" }] },
                "deliverables": { "nodes": [] }
            }
        ])
    );
    app.stop().await;
}

#[tokio::test]
async fn singapore_and_the_uk_co_chaired_the_cloud_working_group_in_2021_with_seven_more_member_countries()
 {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              workingGroup(slug: "world-bank-cloud-computing") {
                name
                workingGroupOf { nodes { name } }
                coChairs { edges { role validFrom validTo node { ... on Country { code } } } }
                members { totalCount nodes { ... on Country { code } } }
                discussed { nodes { name } }
              }
            }"#,
            json!({}),
        )
        .await;
    let group = &data["workingGroup"];
    assert_eq!(group["name"], "World Bank Working Group on Cloud Computing");
    assert_eq!(
        group["workingGroupOf"]["nodes"],
        json!([{ "name": "World Bank" }])
    );
    assert_eq!(
        group["coChairs"]["edges"],
        json!([
            { "role": "co-chair", "validFrom": "2021", "validTo": "2021", "node": { "code": "SG" } },
            { "role": "co-chair", "validFrom": "2021", "validTo": "2021", "node": { "code": "GB" } }
        ])
    );
    assert_eq!(group["members"]["totalCount"], 9);
    let members: Vec<String> = group["members"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        sorted(members),
        strings(&["SG", "GB", "IN", "IL", "JP", "KR", "CH", "AE", "UY"])
    );
    assert_eq!(
        group["discussed"]["nodes"].as_array().map(Vec::len),
        Some(4)
    );
    app.stop().await;
}

#[tokio::test]
async fn israel_japan_korea_and_the_uk_took_part_in_both_dgx_2022_and_the_cloud_working_group() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              countries(filter: { linkedTo: [
                { kind: EVENT, slug: "dgx-2022", predicates: [PARTICIPATES_IN] },
                { kind: WORKING_GROUP, slug: "world-bank-cloud-computing", predicates: [MEMBER_OF, CO_CHAIRS] }
              ] }, orderBy: CODE_ASC) {
                totalCount
                edges { node { code } }
              }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["countries"]["totalCount"], 4);
    assert_eq!(
        names(&data["countries"], "code"),
        vec!["GB", "IL", "JP", "KR"]
    );
    app.stop().await;
}

#[tokio::test]
async fn gtgp_was_established_by_the_governance_global_practice_and_supports_four_things() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              partnership(slug: "gtgp") {
                name
                establishedBy { nodes { name ... on Organisation { partOf { nodes { name } } } } }
                supports { nodes { name } }
              }
            }"#,
            json!({}),
        )
        .await;
    let gtgp = &data["partnership"];
    assert_eq!(gtgp["name"], "GovTech Global Partnership");
    assert_eq!(
        gtgp["establishedBy"]["nodes"],
        json!([{ "name": "World Bank Governance Global Practice", "partOf": { "nodes": [{ "name": "World Bank" }] } }])
    );
    assert_eq!(
        gtgp["supports"]["nodes"],
        json!([
            { "name": "Discussions on trends" },
            { "name": "Joint projects" },
            { "name": "Knowledge and solution sharing" },
            { "name": "Technical and regional communities" }
        ])
    );
    app.stop().await;
}

#[tokio::test]
async fn the_article_was_written_by_its_two_authors_with_their_positions() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              source(slug: "dgx-brings-govtech-community-together") {
                publisher published
                authors {
                  edges {
                    role
                    node {
                      name
                      ... on Person {
                        title
                        affiliations { edges { role node { name } } }
                      }
                    }
                  }
                }
                credits { edges { role node { name } } }
              }
            }"#,
            json!({}),
        )
        .await;
    let source = &data["source"];
    assert_eq!(source["publisher"], "World Bank Blogs");
    assert_eq!(source["published"], "2022");
    assert_eq!(
        source["authors"]["edges"],
        json!([
            { "role": "author", "node": {
                "name": "Cheow Hoe Chan",
                "title": "Government Chief Digital Technology Officer",
                "affiliations": { "edges": [{ "role": "Government Chief Digital Technology Officer", "node": { "name": "Singapore" } }] }
            } },
            { "role": "author", "node": {
                "name": "João Ricardo Vasconcelos",
                "title": "Senior Governance Specialist",
                "affiliations": { "edges": [{ "role": "Senior Governance Specialist", "node": { "name": "GovTech Global team" } }] }
            } }
        ])
    );
    assert_eq!(
        source["credits"]["edges"],
        json!([
            { "role": "photo credit", "node": { "name": "Kelley Lynch" } },
            { "role": "photo credit", "node": { "name": "World Bank" } }
        ])
    );
    app.stop().await;
}

#[tokio::test]
async fn every_fact_names_the_source_that_states_it_with_its_words() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              workingGroup(slug: "world-bank-cloud-computing") {
                sources { name }
                coChairs(first: 1) {
                  edges { relationship { predicate sources { name } citations { excerpt } } }
                }
              }
              country(code: "SGP") { sources { name sourceKind } }
            }"#,
            json!({}),
        )
        .await;
    let article = "DGX is bringing the GovTech Community together";
    assert_eq!(
        data["workingGroup"]["sources"],
        json!([{ "name": article }])
    );
    let relationship = &data["workingGroup"]["coChairs"]["edges"][0]["relationship"];
    assert_eq!(relationship["predicate"], "CO_CHAIRS");
    assert_eq!(relationship["sources"], json!([{ "name": article }]));
    assert_eq!(
        relationship["citations"],
        json!([{ "excerpt": "Singapore and the U.K. co-chaired a World Bank Working Group on Cloud Computing in 2021" }])
    );
    assert_eq!(
        data["country"]["sources"],
        json!([{ "name": "ISO 3166-1 country codes", "sourceKind": "DATASET" }])
    );
    app.stop().await;
}
