//! Cursor pagination, ordering, filters and counts of the root connections.

use serde_json::json;

use crate::helpers::{TestApp, names};

const PAGE: &str = r#"
query Page($first: Int, $after: String, $last: Int, $before: String, $order: CountryOrder) {
  countries(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { code name } }
  }
}"#;

#[tokio::test]
async fn pages_follow_one_another_forwards_and_backwards() {
    let app = TestApp::spawn().await;
    let first = app
        .data(PAGE, json!({ "first": 3, "order": "CODE_ASC" }))
        .await["countries"]
        .clone();
    assert_eq!(first["totalCount"], 249);
    assert_eq!(names(&first, "code"), vec!["AD", "AE", "AF"]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);

    let after = first["pageInfo"]["endCursor"].clone();
    let second = app
        .data(
            PAGE,
            json!({ "first": 3, "after": after, "order": "CODE_ASC" }),
        )
        .await["countries"]
        .clone();
    assert_eq!(names(&second, "code"), vec!["AG", "AI", "AL"]);
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);

    let before = second["pageInfo"]["startCursor"].clone();
    let back = app
        .data(
            PAGE,
            json!({ "last": 2, "before": before, "order": "CODE_ASC" }),
        )
        .await["countries"]
        .clone();
    assert_eq!(names(&back, "code"), vec!["AE", "AF"]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(back["pageInfo"]["hasNextPage"], true);

    let end = app
        .data(PAGE, json!({ "last": 2, "order": "CODE_ASC" }))
        .await["countries"]
        .clone();
    assert_eq!(names(&end, "code"), vec!["ZM", "ZW"]);
    assert_eq!(end["pageInfo"]["hasNextPage"], false);
    app.stop().await;
}

#[tokio::test]
async fn descending_orders_page_the_other_way() {
    let app = TestApp::spawn().await;
    let first = app
        .data(PAGE, json!({ "first": 2, "order": "CODE_DESC" }))
        .await["countries"]
        .clone();
    assert_eq!(names(&first, "code"), vec!["ZW", "ZM"]);
    let after = first["pageInfo"]["endCursor"].clone();
    let next = app
        .data(
            PAGE,
            json!({ "first": 2, "after": after, "order": "CODE_DESC" }),
        )
        .await["countries"]
        .clone();
    assert_eq!(names(&next, "code"), vec!["ZA", "YT"]);
    app.stop().await;
}

#[tokio::test]
async fn walking_every_page_visits_every_country_once() {
    let app = TestApp::spawn().await;
    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let page = app
            .data(PAGE, json!({ "first": 100, "after": after }))
            .await["countries"]
            .clone();
        seen.extend(names(&page, "name"));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 249);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 249, "a country appeared twice");
    assert_eq!(seen, sorted, "pages were not in name order");
    app.stop().await;
}

#[tokio::test]
async fn filters_combine_and_counts_follow_them() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              search: countries(filter: { search: "korea" }) { totalCount nodes { code } }
              codes: countries(filter: { codes: ["sg", "GBR", "US"] }, orderBy: CODE_ASC) { nodes { code } }
              asia: countries(filter: { regions: [ASIA], codes: ["SG", "FR"] }) { nodes { code } }
              accented: countries(filter: { search: "ÅLAND ISL" }) { nodes { code } }
              unaccented: countries(filter: { search: "aland" }, orderBy: CODE_ASC) { nodes { code } }
              unclassified: organisations(filter: { kinds: [GOVERNMENT_AGENCY] }) { totalCount }
              units: organisations(filter: { kinds: [ORGANISATIONAL_UNIT] }, orderBy: NAME_DESC) { nodes { name } }
              percent: topics(filter: { search: "%" }) { totalCount }
              events2022: events(filter: { year: 2022 }) { nodes { slug } }
              events2021: events(filter: { year: 2021 }) { totalCount }
              people: people(filter: { slugs: ["kelley-lynch", "cheow-hoe-chan"] }) { nodes { name } }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["search"]["totalCount"], 2);
    assert_eq!(
        data["codes"]["nodes"],
        json!([{ "code": "GB" }, { "code": "SG" }, { "code": "US" }])
    );
    assert_eq!(data["asia"]["nodes"], json!([{ "code": "SG" }]));
    assert_eq!(data["accented"]["nodes"], json!([{ "code": "AX" }]));
    // Accents make no difference either way: `aland` is in New Zealand too.
    assert_eq!(
        data["unaccented"]["nodes"],
        json!([{ "code": "AX" }, { "code": "NZ" }])
    );
    // The article classifies no organisation but by saying which are units of which.
    assert_eq!(data["unclassified"]["totalCount"], 0);
    assert_eq!(
        data["units"]["nodes"],
        json!([{ "name": "World Bank Governance Global Practice" }, { "name": "GovTech Global team" }])
    );
    assert_eq!(data["percent"]["totalCount"], 0);
    assert_eq!(data["events2022"]["nodes"], json!([{ "slug": "dgx-2022" }]));
    assert_eq!(data["events2021"]["totalCount"], 0);
    assert_eq!(
        data["people"]["nodes"],
        json!([{ "name": "Cheow Hoe Chan" }, { "name": "Kelley Lynch" }])
    );
    app.stop().await;
}

#[tokio::test]
async fn relationships_can_be_listed_by_predicate_and_direction() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{
              country(code: "SG") {
                all: relationships { totalCount }
                outgoing: relationships(direction: OUTGOING) { totalCount }
                incoming: relationships(direction: INCOMING) { edges { predicate direction node { name } } }
                chairs: relationships(predicates: [CO_CHAIRS]) { edges { predicate direction role validFrom node { name } } }
              }
            }"#,
            json!({}),
        )
        .await;
    let singapore = &data["country"];
    // Hosts DGX 2022, co-chairs the cloud group and is a member of it, supports
    // community-building; Cheow Hoe Chan is affiliated with it.
    assert_eq!(singapore["outgoing"]["totalCount"], 4);
    assert_eq!(singapore["all"]["totalCount"], 5);
    assert_eq!(
        singapore["incoming"]["edges"],
        json!([{ "predicate": "AFFILIATED_WITH", "direction": "INCOMING", "node": { "name": "Cheow Hoe Chan" } }])
    );
    assert_eq!(
        singapore["chairs"]["edges"],
        json!([{
            "predicate": "CO_CHAIRS", "direction": "OUTGOING", "role": "co-chair", "validFrom": "2021",
            "node": { "name": "World Bank Working Group on Cloud Computing" }
        }])
    );
    app.stop().await;
}

#[tokio::test]
async fn nodes_are_refetched_by_global_id_in_the_order_asked() {
    let app = TestApp::spawn().await;
    let data = app
        .data(
            r#"{ a: country(code: "JP") { id } b: partnership(slug: "dgx") { id } }"#,
            json!({}),
        )
        .await;
    let (japan, dgx) = (data["a"]["id"].clone(), data["b"]["id"].clone());
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename name } }",
            json!({ "ids": [dgx, japan, "UGVyc29uOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"] }),
        )
        .await;
    assert_eq!(
        data["nodes"],
        json!([{ "__typename": "Partnership", "name": "Digital Government Exchange" }, { "__typename": "Country", "name": "Japan" }, null])
    );
    app.stop().await;
}

const PARTICIPANTS: &str = r#"
query Participants($first: Int, $after: String, $last: Int, $before: String) {
  event(slug: "dgx-2022") {
    participants(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { node { name } }
    }
  }
}"#;

#[tokio::test]
async fn a_nodes_links_page_forwards_and_backwards_like_a_root_list() {
    let app = TestApp::spawn().await;
    let page = |vars: serde_json::Value| {
        let app = &app;
        async move { app.data(PARTICIPANTS, vars).await["event"]["participants"].clone() }
    };
    let everything = page(json!({ "first": 100 })).await;
    let all = names(&everything, "name");
    assert_eq!(all.len(), 16);

    let first = page(json!({ "first": 6 })).await;
    assert_eq!(names(&first, "name"), all[..6]);
    let second = page(json!({ "first": 6, "after": first["pageInfo"]["endCursor"] })).await;
    assert_eq!(names(&second, "name"), all[6..12]);
    let third = page(json!({ "first": 6, "after": second["pageInfo"]["endCursor"] })).await;
    assert_eq!(names(&third, "name"), all[12..]);
    assert_eq!(third["pageInfo"]["hasNextPage"], false);

    let back = page(json!({ "last": 4, "before": third["pageInfo"]["startCursor"] })).await;
    assert_eq!(names(&back, "name"), all[8..12]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(back["totalCount"], 16);
    app.stop().await;
}

#[tokio::test]
async fn a_cursor_from_a_list_in_another_order_is_refused() {
    let app = TestApp::spawn().await;
    let by_code = app
        .data(PAGE, json!({ "first": 1, "order": "CODE_ASC" }))
        .await;
    let cursor = by_code["countries"]["pageInfo"]["endCursor"].clone();
    let codes = app
        .error_codes(
            PAGE,
            json!({ "first": 1, "after": cursor, "order": "NAME_ASC" }),
        )
        .await;
    assert_eq!(codes, vec!["BAD_USER_INPUT"]);
    let links = app
        .error_codes(
            PARTICIPANTS,
            json!({ "first": 1, "after": by_code["countries"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(links, vec!["BAD_USER_INPUT"]);
    app.stop().await;
}
