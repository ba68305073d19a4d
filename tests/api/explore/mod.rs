//! The graph explorer at `/explore`, in a real headless Chromium: what it draws is read from the
//! page's own state (`window.govgraphExplorer.state()`) and checked against the API's answer to
//! the same question. A picture of each step is kept in `target/browser-screenshots/`.

mod drawing;
mod exports;
mod graphiql;
mod keyboard;
mod views;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::browser::Chromium;
use crate::helpers::TestApp;

/// The explorer has started and asks nothing more of the API.
pub const SETTLED: &str = "window.govgraphExplorer && window.govgraphExplorer.ready \
                       && window.govgraphExplorer.pending() === 0";

/// What the page draws.
pub async fn drawn(chromium: &Chromium) -> Value {
    chromium.eval("window.govgraphExplorer.state()").await
}

/// The `id`s of the objects in `list`.
pub fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The API's own answer: Singapore's neighbourhood one hop out, at `as_of` if given.
pub async fn singapore_neighbourhood(app: &TestApp, as_of: Option<&str>) -> Value {
    app.data(
        r#"query ($asOf: PartialDate) {
             neighbourhood(node: { code: "SG" }, depth: 1, asOf: $asOf) {
               nodes { id name }
               relationships { id predicate validFrom citations { excerpt } }
             } }"#,
        json!({ "asOf": as_of }),
    )
    .await["neighbourhood"]
        .clone()
}

/// Opens the explorer in a new Chromium and waits for it to settle, or `None` when the test
/// skips for want of Chromium.
pub async fn explorer(test: &str, app: &TestApp, path: &str) -> Option<Chromium> {
    let chromium = Chromium::launch(test, 1280, 900).await?;
    chromium.open(&app.url(path)).await;
    chromium.until(SETTLED, "the explorer is ready").await;
    Some(chromium)
}

/// Types `text` into the search box and clicks the result of that name, which puts it on the
/// canvas and selects it.
pub async fn search_and_choose(chromium: &Chromium, text: &str) {
    chromium
        .eval::<String>("document.querySelector('#search').value = ''")
        .await;
    chromium
        .page()
        .find_element("#search")
        .await
        .expect("a search box")
        .click()
        .await
        .expect("the search box takes focus")
        .type_str(text)
        .await
        .expect("the search box takes text");
    let result = format!(
        "[...document.querySelectorAll('#results button[data-id]')]\
           .find((b) => b.querySelector('.result-name')?.textContent === {text:?})"
    );
    chromium
        .until(
            &format!("{SETTLED} && {result} !== undefined"),
            &format!("{text} is found"),
        )
        .await;
    let id: String = chromium.eval(&format!("{result}.dataset.id")).await;
    chromium
        .click(&format!("#results button[data-id={id:?}]"))
        .await;
    chromium
        .until(
            &format!(
                "{SETTLED} && window.govgraphExplorer.state().selected === {id:?} \
                 && window.govgraphExplorer.state().nodes.some((n) => n.id === {id:?})"
            ),
            &format!("{text} is on the canvas and selected"),
        )
        .await;
}

/// Clicks the button `selector` and waits for the explorer to settle.
pub async fn click(chromium: &Chromium, selector: &str) {
    chromium.click(selector).await;
    chromium
        .until(SETTLED, &format!("the explorer settles after {selector}"))
        .await;
}

/// Sets the form control `selector` to `value` as a person would, with its `input` and
/// `change` events, and waits for the explorer to settle.
pub async fn set_value(chromium: &Chromium, selector: &str, value: &str) {
    let taken: bool = chromium
        .eval(&format!(
            "(() => {{ const control = document.querySelector({selector:?}); \
               control.value = {value:?}; \
               control.dispatchEvent(new Event('input', {{ bubbles: true }})); \
               control.dispatchEvent(new Event('change', {{ bubbles: true }})); \
               return control.value === {value:?}; }})()"
        ))
        .await;
    assert!(taken, "{selector} does not take {value:?}");
    chromium
        .until(
            SETTLED,
            &format!("the explorer settles after {selector} changes"),
        )
        .await;
}
