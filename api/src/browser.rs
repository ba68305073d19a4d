//! The pages govgraph serves to browsers, GraphiQL and the graph explorer, from files built into
//! the binary: neither needs the network, so both work on a closed network.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Response, handler};

/// A page and the files it loads, by name.
struct Bundle {
    /// The page's HTML.
    index: &'static str,
    /// The files the page loads: name, content type, bytes.
    files: &'static [(&'static str, &'static str, &'static [u8])],
}

/// The content type of a script.
const SCRIPT: &str = "text/javascript; charset=utf-8";
/// The content type of a stylesheet.
const STYLE: &str = "text/css; charset=utf-8";

/// GraphiQL, at `/` with its files under `/graphiql/`.
const GRAPHIQL: Bundle = Bundle {
    index: include_str!("../assets/graphiql/index.html"),
    files: &[
        (
            "react.production.min.js",
            SCRIPT,
            include_bytes!("../assets/graphiql/react.production.min.js"),
        ),
        (
            "react-dom.production.min.js",
            SCRIPT,
            include_bytes!("../assets/graphiql/react-dom.production.min.js"),
        ),
        (
            "graphiql.min.js",
            SCRIPT,
            include_bytes!("../assets/graphiql/graphiql.min.js"),
        ),
        (
            "graphiql.min.css",
            STYLE,
            include_bytes!("../assets/graphiql/graphiql.min.css"),
        ),
    ],
};

/// The graph explorer, at `/explore` with its files under `/explore/`.
const EXPLORER: Bundle = Bundle {
    index: include_str!("../assets/explore/index.html"),
    files: &[
        (
            "explore.min.js",
            SCRIPT,
            include_bytes!("../assets/explore/explore.min.js"),
        ),
        (
            "explore.min.css",
            STYLE,
            include_bytes!("../assets/explore/explore.min.css"),
        ),
    ],
};

impl Bundle {
    /// The page, asked for again on each visit so that a new version shows at once.
    fn page(&self) -> Response {
        Response::builder()
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(self.index)
    }

    /// One of the page's files, or 404.
    fn file(&self, name: &str) -> Response {
        match self.files.iter().find(|(file, _, _)| *file == name) {
            Some((_, content_type, body)) => Response::builder()
                .content_type(*content_type)
                .header(header::CACHE_CONTROL, "public, max-age=86400")
                .body(*body),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body("no such file"),
        }
    }
}

/// `GET /`: the GraphiQL page.
#[handler]
pub fn graphiql() -> impl IntoResponse {
    GRAPHIQL.page()
}

/// `GET /graphiql/:file`: one of GraphiQL's scripts or styles.
#[handler]
pub fn graphiql_file(Path(file): Path<String>) -> Response {
    GRAPHIQL.file(&file)
}

/// `GET /explore`: the graph explorer.
#[handler]
pub fn explorer() -> impl IntoResponse {
    EXPLORER.page()
}

/// `GET /explore/:file`: one of the explorer's scripts or styles.
#[handler]
pub fn explorer_file(Path(file): Path<String>) -> Response {
    EXPLORER.file(&file)
}
