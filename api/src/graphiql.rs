//! GraphiQL, served from files built into the binary: the playground needs no network.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Response, handler};

/// The page at `/`.
const INDEX: &str = include_str!("../assets/graphiql/index.html");

/// The files the page loads, by name under `/graphiql/`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
    ),
];

/// `GET /`: the GraphiQL page.
#[handler]
pub fn page() -> impl IntoResponse {
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(INDEX)
}

/// `GET /graphiql/:file`: one of the page's scripts or styles.
#[handler]
pub fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => Response::builder()
            .content_type(*content_type)
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .body(*body),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body("no such file"),
    }
}
