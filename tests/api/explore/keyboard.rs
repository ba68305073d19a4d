//! The explorer by keyboard alone, and at 200% zoom.

use super::{SETTLED, click, drawn, search_and_choose};
use crate::browser::Chromium;
use crate::helpers::TestApp;

/// The id of the element with the focus, or its tag, with whether its focus ring shows.
const FOCUSED: &str = "(() => { const e = document.activeElement; \
    const style = getComputedStyle(e); \
    return [e.id || e.tagName.toLowerCase() + (e.dataset.id ? '[data-id]' : ''), \
            style.outlineStyle !== 'none' && style.outlineWidth !== '0px']; })()";

#[tokio::test]
async fn every_control_is_reached_by_tab_and_escape_closes_the_panel() {
    let app = TestApp::spawn().await;
    let Some(chromium) = Chromium::launch("explore::keyboard", 1280, 900).await else {
        return app.stop().await;
    };
    chromium.open(&app.url("/explore")).await;
    chromium.until(SETTLED, "the explorer is ready").await;
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;

    chromium
        .eval::<bool>("document.activeElement.blur() === undefined")
        .await;
    let mut reached = Vec::new();
    for _ in 0..120 {
        chromium.press("Tab").await;
        let (focused, ring): (String, bool) = chromium.eval(FOCUSED).await;
        // Past the last control the focus leaves the page for a press, and comes back.
        assert!(ring || focused == "body", "{focused} shows no focus ring");
        reached.push(focused);
    }
    for control in [
        "search",
        "as-of",
        "path-from",
        "path-to",
        "find-path",
        "export-png",
        "export-svg",
        "button[data-id]",
        "expand",
        "open-graphiql",
        "close-panel",
    ] {
        assert!(
            reached.iter().any(|focused| focused == control),
            "Tab never reaches {control}: {reached:?}"
        );
    }

    chromium.press("Escape").await;
    chromium
        .until(
            "window.govgraphExplorer.state().panel.open === false",
            "Escape closes the panel",
        )
        .await;
    chromium.close().await;
    app.stop().await;
}

#[tokio::test]
async fn at_200_percent_zoom_the_page_fits_its_window() {
    let app = TestApp::spawn().await;
    let Some(chromium) = Chromium::launch("explore::zoom", 1280, 900).await else {
        return app.stop().await;
    };
    chromium.zoom(1280, 900, 200).await;
    chromium.open(&app.url("/explore")).await;
    chromium.until(SETTLED, "the explorer is ready").await;
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;
    chromium.screenshot("explore-zoom-200").await;

    let width: f64 = chromium.eval("window.innerWidth").await;
    assert_eq!(width, 640.0, "the window is 640 CSS pixels wide at 200%");
    let scrolled: f64 = chromium.eval("document.documentElement.scrollWidth").await;
    assert!(
        scrolled <= width,
        "the page scrolls sideways: {scrolled} > {width}"
    );
    for control in ["#search", "#expand", "#as-of", "#export-svg"] {
        let (left, right): (f64, f64) = chromium
            .eval(&format!(
                "(() => {{ const r = document.querySelector({control:?}).getBoundingClientRect(); \
                   return [r.left, r.right]; }})()"
            ))
            .await;
        assert!(
            left >= 0.0 && right <= width,
            "{control} runs off the window: {left}..{right}"
        );
    }
    assert_eq!(
        drawn(&chromium).await["edges"].as_array().map(Vec::len),
        Some(5)
    );
    chromium.close().await;
    app.stop().await;
}
