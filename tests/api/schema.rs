//! The exported SDL is current, and the SDL documents every type, field and argument.

use serde_json::Value;

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");

#[test]
fn schema_graphql_is_the_sdl_of_the_schema() {
    let sdl = govgraph_api::federation_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, &sdl).expect("schema.graphql written");
    }
    let file = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        file == sdl,
        "schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test --test api schema` and commit it"
    );
}

const INTROSPECTION: &str = r#"{
  __schema {
    types {
      name kind description
      fields { name description args { name description } }
      inputFields { name description }
      enumValues { name description }
    }
  }
}"#;

fn undocumented(item: &Value) -> bool {
    item["description"]
        .as_str()
        .is_none_or(|d| d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_documented() {
    let response = govgraph_api::schema().finish().execute(INTROSPECTION).await;
    let data = response.data.into_json().expect("introspection is JSON");
    let mut missing = Vec::new();
    for ty in data["__schema"]["types"].as_array().expect("types") {
        let name = ty["name"].as_str().unwrap_or_default();
        let built_in = ["String", "Int", "Float", "Boolean", "ID"].contains(&name);
        // `__` types are introspection's; `_` types are the federation spec's.
        if name.starts_with('_') || built_in {
            continue;
        }
        if undocumented(ty) {
            missing.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap_or_default();
            if field_name.starts_with('_') {
                continue;
            }
            if undocumented(field) {
                missing.push(format!("{name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if undocumented(arg) {
                    missing.push(format!(
                        "{name}.{field_name}({})",
                        arg["name"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
        for list in ["inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                if undocumented(item) {
                    missing.push(format!(
                        "{name}.{}",
                        item["name"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}
