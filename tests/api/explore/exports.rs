//! The picture exported as PNG and SVG, as a person downloads it.

use std::collections::BTreeSet;

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::{click, drawn, explorer, ids, search_and_choose};
use crate::helpers::TestApp;

/// The `data-id` of every node an SVG draws, and how many edges (paths) it draws; fails the
/// test if the SVG is not well-formed XML.
fn svg_nodes_and_edges(svg: &str) -> (BTreeSet<String>, usize) {
    let mut reader = Reader::from_str(svg);
    let (mut nodes, mut edges) = (BTreeSet::new(), 0);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return (nodes, edges),
            Ok(Event::Start(element) | Event::Empty(element)) => {
                if element.name().as_ref() == "path" {
                    edges += 1;
                }
                if let Some(id) = element
                    .try_get_attribute("data-id")
                    .expect("well-formed attributes")
                {
                    nodes.insert(
                        id.normalized_value(XmlVersion::Explicit1_0)
                            .expect("an escaped data-id")
                            .into_owned(),
                    );
                }
            }
            Ok(_) => {}
            Err(e) => panic!(
                "the SVG is not well-formed at {}: {e}",
                reader.error_position()
            ),
        }
    }
}

#[tokio::test]
async fn the_view_exports_as_a_png_and_as_an_svg_of_what_is_drawn() {
    let app = TestApp::spawn().await;
    let Some(chromium) = explorer("explore::exports", &app, "/explore").await else {
        return app.stop().await;
    };
    search_and_choose(&chromium, "Singapore").await;
    click(&chromium, "#expand").await;
    let state = drawn(&chromium).await;
    let downloads = tempfile::tempdir().expect("a downloads directory");

    let png = chromium.download("#export-png", downloads.path()).await;
    assert_eq!(
        png.file_name().and_then(|n| n.to_str()),
        Some("govgraph-explore.png")
    );
    let png = std::fs::read(png).expect("the PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let width = u32::from_be_bytes(png[16..20].try_into().expect("a width"));
    let height = u32::from_be_bytes(png[20..24].try_into().expect("a height"));
    assert!(width >= 300 && height >= 300, "{width} × {height}");

    let svg = chromium.download("#export-svg", downloads.path()).await;
    assert_eq!(
        svg.file_name().and_then(|n| n.to_str()),
        Some("govgraph-explore.svg")
    );
    let svg = std::fs::read_to_string(svg).expect("the SVG");
    let (nodes, edges) = svg_nodes_and_edges(&svg);
    assert_eq!(nodes, ids(&state["nodes"]));
    assert_eq!(edges, 5);
    for node in state["nodes"].as_array().expect("nodes") {
        let name = node["name"].as_str().expect("a name");
        assert!(svg.contains(name), "the SVG labels {name}");
    }
    assert_eq!(chromium.outside_requests(), Vec::<String>::new());
    chromium.close().await;
    app.stop().await;
}
