use super::*;

const ARTICLE_TEXT: &str =
    include_str!("../../data/sources/dgx-brings-govtech-community-together.txt");

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_default_data_set_is_valid() {
    let data = DataSet::default_data_set().expect("the shipped data set validates");
    assert_eq!(
        data.nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Country)
            .count(),
        249
    );
    assert!(data.edge_count() > 50, "only {} edges", data.edge_count());
}

#[test]
fn every_excerpt_is_quoted_verbatim_from_the_article() {
    let data = DataSet::default_data_set().expect("the shipped data set validates");
    let article = words(ARTICLE_TEXT);
    let excerpts = data.excerpts_of("dgx-brings-govtech-community-together");
    assert!(excerpts.len() > 80, "only {} excerpts", excerpts.len());
    for excerpt in excerpts {
        assert!(
            article.contains(&words(excerpt)),
            "not in the article: {excerpt}"
        );
    }
}

#[test]
fn ids_are_derived_from_natural_keys() {
    assert_eq!(
        node_id(NodeKind::Country, "sg"),
        node_id(NodeKind::Country, "sg")
    );
    assert_ne!(
        node_id(NodeKind::Country, "sg"),
        node_id(NodeKind::Topic, "sg")
    );
}

#[test]
fn an_edge_between_kinds_its_predicate_does_not_join_is_rejected() {
    let text = r#"
        cites = "source:s"
        [[source]]
        slug = "s"
        name = "S"
        source_kind = "ARTICLE"
        [[node]]
        ref = "topic:t"
        name = "T"
        excerpt = "t"
        [[edge]]
        subjects = ["topic:t"]
        predicate = "MEMBER_OF"
        objects = ["country:sg"]
        excerpt = "t"
    "#;
    let error = DataSet::from_toml(text).expect_err("a topic cannot be a member");
    assert!(
        error.to_string().contains("does not join these kinds"),
        "{error}"
    );
}

#[test]
fn a_reference_to_a_missing_node_is_rejected() {
    let text = r#"
        cites = "source:s"
        [[source]]
        slug = "s"
        name = "S"
        source_kind = "ARTICLE"
        [[edge]]
        subjects = ["country:sg"]
        predicate = "HOSTS"
        objects = ["event:nowhere"]
        excerpt = "t"
    "#;
    let error = DataSet::from_toml(text).expect_err("the event does not exist");
    assert!(error.to_string().starts_with("event:nowhere"), "{error}");
}
