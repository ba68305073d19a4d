use super::*;
use crate::format::{DataFile, NodeEntry, SourceEntry};

const ARTICLE_TEXT: &str = include_str!("../sources/dgx-brings-govtech-community-together.txt");
const ARTICLE: &str = "source:dgx-brings-govtech-community-together";

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `UPDATE_DATA=1` rewrites a generated file instead of comparing it.
fn check_generated(path: &str, expected: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_DATA").is_some() {
        std::fs::write(&full, expected).expect("the file is written");
        return;
    }
    let actual = std::fs::read_to_string(&full).expect("the file is there");
    assert!(
        actual == expected,
        "{path} is stale: run `UPDATE_DATA=1 cargo test -p govgraph-data` and commit it"
    );
}

#[test]
fn the_default_files_read_without_a_problem() {
    let files = files().expect("the default files read");
    let countries = files[0]
        .nodes
        .iter()
        .filter(|node| node.entry.reference.starts_with("country:"))
        .count();
    assert_eq!(countries, 249);
    assert!(files[1].edges.len() > 30, "{} edges", files[1].edges.len());
}

#[test]
fn every_excerpt_is_quoted_verbatim_from_the_article() {
    let files = files().expect("the default files read");
    let article = words(ARTICLE_TEXT);
    let file = &files[1];
    assert_eq!(file.cites.as_ref().map(|c| c.entry.as_str()), Some(ARTICLE));
    let excerpts: Vec<&String> = file
        .nodes
        .iter()
        .filter_map(|n| n.entry.excerpt.as_ref())
        .chain(file.edges.iter().filter_map(|e| e.entry.excerpt.as_ref()))
        .collect();
    assert_eq!(excerpts.len(), file.nodes.len() + file.edges.len());
    for excerpt in excerpts {
        assert!(
            article.contains(&words(excerpt)),
            "not in the article: {excerpt}"
        );
    }
}

#[test]
fn the_digest_changes_with_any_byte_of_the_files() {
    let digest = digest();
    assert_eq!(digest.len(), 64);
    assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
}

/// The ISO 3166-1 file, as the `keshvar` crate states the codes and CLDR names the countries.
fn iso_file() -> String {
    let names = govgraph_migration::countries::country_names().expect("CLDR's names load");
    let mut nodes: Vec<NodeEntry> = keshvar::CountryIterator::new()
        .map(|country| {
            let alpha2 = country.alpha2().to_string();
            let named = names
                .iter()
                .find(|names| names.alpha2 == alpha2)
                .expect("every country is named");
            NodeEntry {
                reference: format!("country:{}", alpha2.to_lowercase()),
                name: named.name.clone(),
                short_name: named.short_name.clone(),
                alpha3: Some(country.alpha3().to_string()),
                numeric_code: Some(country.number().to_owned()),
                iso_name: Some(named.iso_name.clone()),
                official_name: Some(country.iso_long_name().to_owned()),
                region: country.maybe_region().map(|r| r.to_string()),
                subregion: country.maybe_subregion().map(|r| r.to_string()),
                ..NodeEntry::default()
            }
        })
        .collect();
    nodes.sort_by(|a, b| a.reference.cmp(&b.reference));
    let file = DataFile {
        cites: Some("source:iso-3166-1".to_owned()),
        sources: vec![SourceEntry {
            slug: "iso-3166-1".to_owned(),
            name: "ISO 3166-1 country codes".to_owned(),
            summary: Some(
                "The international standard for country codes: alpha-2, alpha-3 and numeric."
                    .to_owned(),
            ),
            source_kind: "DATASET".to_owned(),
            url: Some("https://www.iso.org/iso-3166-country-codes.html".to_owned()),
            publisher: Some("International Organization for Standardization".to_owned()),
            ..SourceEntry::default()
        }],
        nodes,
        edges: Vec::new(),
    };
    let body = toml::to_string(&file).expect("the file serialises");
    format!(
        "#:schema ../govgraph-data.schema.json\n\
         # Every ISO 3166-1 country: codes and names as ISO 3166-1 states them (through the\n\
         # `keshvar` crate), common English names as CLDR gives them. Generated: run\n\
         # `UPDATE_DATA=1 cargo test -p govgraph-data` after updating either.\n\n{body}"
    )
}

#[test]
fn the_iso_file_holds_what_iso_3166_1_and_cldr_state() {
    check_generated("default/iso-3166-1.toml", &iso_file());
}

#[test]
fn the_published_json_schema_is_the_format_s() {
    let schema =
        serde_json::to_string_pretty(&crate::format::json_schema()).expect("the schema serialises");
    check_generated("govgraph-data.schema.json", &format!("{schema}\n"));
}

#[test]
fn every_default_file_is_valid_under_the_published_schema_and_a_field_it_does_not_know_is_not() {
    let schema = crate::format::json_schema();
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    for (name, text) in FILES {
        let file: serde_json::Value = toml::from_str(text).expect("the file is TOML");
        let errors: Vec<String> = validator
            .iter_errors(&file)
            .map(|error| error.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    for wrong in [
        "[[node]]\nref = \"topic:x\"\nname = \"X\"\ncolour = \"red\"\n",
        "[[node]]\nref = \"Topic X\"\nname = \"X\"\n",
        "[[source]]\nslug = \"s\"\nname = \"\"\nsource_kind = \"REPORT\"\n",
    ] {
        let file: serde_json::Value = toml::from_str(wrong).expect("the file is TOML");
        assert!(!validator.is_valid(&file), "the schema accepts {wrong}");
    }
}
