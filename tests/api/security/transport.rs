//! Transport: the body cap holds after decompression and without a `Content-Length`, only
//! GraphQL-over-HTTP requests are taken, and slow or idle clients cannot hold connections.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use govgraph_api::config::HttpConfig;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::still_serves;
use crate::helpers::TestApp;

/// How long a test waits for an answer it is owed before failing.
const PATIENCE: Duration = Duration::from_secs(20);

/// A request that must be answered: its status, headers and body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    fn code(&self) -> Value {
        self.json()["errors"][0]["extensions"]["code"].clone()
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("answered");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    }
}

/// POSTs `body` to `/graphql` with `headers`.
async fn post_raw(
    app: &TestApp,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut request = app.http.post(app.url("/graphql")).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request).await
}

/// Sends `request` over a new TCP connection and reads the whole answer, which closes it.
async fn exchange(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connected");
    stream.write_all(request).await.expect("sent");
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text}"));
    (status, text)
}

/// A JSON body of `{ __typename }` padded with a variable `pad` of `bytes` bytes.
fn padded(bytes: usize) -> Vec<u8> {
    json!({ "query": "{ __typename }", "variables": { "pad": "a".repeat(bytes) } })
        .to_string()
        .into_bytes()
}

/// `body` as HTTP/1.1 chunks of 1 KiB.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn chunked_request(body: &[u8]) -> Vec<u8> {
    let mut request = b"POST /graphql HTTP/1.1\r\nHost: govgraph\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    request.extend_from_slice(&chunked(body));
    request
}

#[tokio::test]
async fn a_small_compressed_body_that_inflates_past_the_cap_is_refused_before_sql() {
    let app = TestApp::spawn().await;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&padded(64 << 20)).expect("compressed");
    let bomb = gzip.finish().expect("compressed");
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let before = app.statements();
    let answer = post_raw(
        &app,
        &[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        bomb,
    )
    .await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_eq!(answer.code(), "LIMIT_EXCEEDED");
    assert_eq!(
        answer.json()["errors"][0]["extensions"]["limit"],
        "max_request_bytes",
        "{}",
        answer.body
    );
    assert_eq!(app.statements(), before);
    // A compressed body within the cap is read as any other.
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(br#"{"query":"{ country(code: \"SG\") { name } }"}"#)
        .expect("compressed");
    let small = gzip.finish().expect("compressed");
    let answer = post_raw(
        &app,
        &[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        small,
    )
    .await;
    assert_eq!(answer.json()["data"]["country"]["name"], "Singapore");
    app.stop().await;
}

#[tokio::test]
async fn a_body_without_a_length_is_read_up_to_the_cap_then_refused() {
    let app = TestApp::spawn().await;
    let query = br#"{"query":"{ country(code: \"SG\") { name } }"}"#;
    let (status, text) = exchange(app.addr, &chunked_request(query)).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Singapore"), "{text}");
    let before = app.statements();
    let (status, text) = exchange(app.addr, &chunked_request(&padded(2 << 20))).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(app.statements(), before);
    still_serves(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_body_declared_larger_than_the_cap_is_refused() {
    let app = TestApp::spawn().await;
    let answer = post_raw(
        &app,
        &[("content-type", "application/json")],
        padded(2 << 20),
    )
    .await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.code(), "LIMIT_EXCEEDED");
    app.stop().await;
}

#[tokio::test]
async fn only_json_in_utf8_is_a_graphql_request() {
    let app = TestApp::spawn().await;
    let body = r#"{"query":"{ __typename }"}"#;
    for content_type in [
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json; charset=latin1"),
        Some("application/graphql"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|value| ("content-type", value))
            .into_iter()
            .collect();
        let answer = post_raw(&app, &headers, body).await;
        assert_eq!(answer.status, 415, "{content_type:?}: {}", answer.body);
        assert_eq!(answer.code(), "BAD_REQUEST");
    }
    let answer = post_raw(
        &app,
        &[("content-type", "Application/JSON; charset=utf-8")],
        body,
    )
    .await;
    assert_eq!(answer.json(), json!({ "data": { "__typename": "Query" } }));
    app.stop().await;
}

#[tokio::test]
async fn the_answer_takes_the_media_type_the_client_accepts() {
    let app = TestApp::spawn().await;
    let json_type = [("content-type", "application/json")];
    let ask = |accept: &'static str, query: &'static str| {
        let app = &app;
        async move {
            let body = json!({ "query": query }).to_string();
            post_raw(app, &[json_type[0], ("accept", accept)], body).await
        }
    };
    let answer = ask("application/graphql-response+json", "{ __typename }").await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .starts_with("application/graphql-response+json")
    );
    // Refused before execution: 400, and no `data`.
    let answer = ask("application/graphql-response+json", "{ __typename").await;
    assert_eq!(answer.status, 400);
    assert!(answer.json().get("data").is_none());
    assert_eq!(answer.code(), "GRAPHQL_PARSE_FAILED");
    let answer = ask("application/graphql-response+json", "{ planets }").await;
    assert_eq!(answer.status, 400);
    // In application/json, every GraphQL answer is a 200.
    let answer = ask("application/json", "{ planets }").await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .starts_with("application/json")
    );
    let answer = ask("text/html", "{ __typename }").await;
    assert_eq!(answer.status, 406);
    app.stop().await;
}

#[tokio::test]
async fn get_serves_queries_only_and_other_methods_are_not_allowed() {
    let app = TestApp::spawn().await;
    let get = |query: &str, variables: Option<&str>| {
        let mut params = vec![("query", query.to_owned())];
        if let Some(variables) = variables {
            params.push(("variables", variables.to_owned()));
        }
        app.http.get(app.url("/graphql")).query(&params)
    };
    let answer = send(get("mutation { __typename }", None)).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), "POST");
    let answer = send(get(
        "query($c: String!) { country(code: $c) { name } }",
        Some(r#"{"c":"SG"}"#),
    ))
    .await;
    assert_eq!(answer.json()["data"]["country"]["name"], "Singapore");
    let answer = send(get("{ __typename }", Some("{not json"))).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "BAD_REQUEST");
    let answer = send(app.http.get(app.url("/graphql"))).await;
    assert_eq!(answer.status, 400);
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let answer = send(app.http.request(method.clone(), app.url("/graphql"))).await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), "GET, POST");
    }
    app.stop().await;
}

#[tokio::test]
async fn bodies_that_are_not_one_graphql_request_are_bad_requests() {
    let app = TestApp::spawn().await;
    let nested_variables = format!(
        r#"{{"query":"{{ __typename }}","variables":{{"x":{}1{}}}}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    for body in [
        r#"{"notquery":"{ __typename }"}"#.to_owned(),
        r#"[{"query":"{ __typename }"}]"#.to_owned(),
        r#"{"query":"{ __typename }","variables":"x"}"#.to_owned(),
        "{ not json".to_owned(),
        nested_variables,
    ] {
        let before = app.statements();
        let answer = post_raw(&app, &[("content-type", "application/json")], body.clone()).await;
        assert_eq!(answer.status, 400, "{body:.60}: {}", answer.body);
        assert_eq!(answer.code(), "BAD_REQUEST");
        assert_eq!(app.statements(), before);
    }
    let answer = post_raw(
        &app,
        &[("content-type", "application/json")],
        vec![b'{', 0xff, 0xfe, b'}'],
    )
    .await;
    assert_eq!(answer.status, 400);
    still_serves(&app).await;
    app.stop().await;
}

/// The service with short read and idle timeouts.
async fn impatient() -> TestApp {
    TestApp::spawn_configured(|settings| {
        settings.http = HttpConfig {
            header_read_timeout: Duration::from_secs(1),
            body_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            ..HttpConfig::default()
        };
    })
    .await
}

/// Whether the server closes `stream` (end of stream or reset) before `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn clients_trickling_their_headers_are_cut_off_while_others_are_served() {
    let app = impatient().await;
    let tricklers: Vec<_> = (0..200)
        .map(|_| {
            let addr = app.addr;
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connected");
                stream
                    .write_all(b"POST /graphql HTTP/1.1\r\nHost: govgraph\r\n")
                    .await
                    .expect("sent");
                // One header byte every 300 ms, never finishing, until the server hangs up.
                let trickle = async {
                    for byte in b"X-Slow: ".iter().cycle() {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        if stream.write_all(&[*byte]).await.is_err() {
                            return;
                        }
                    }
                };
                tokio::time::timeout(PATIENCE, trickle).await.is_ok()
            })
        })
        .collect();
    // Meanwhile the service answers.
    still_serves(&app).await;
    for trickler in tricklers {
        assert!(
            trickler.await.expect("joined"),
            "a trickling client was never cut off"
        );
    }
    still_serves(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_client_trickling_its_body_gets_408() {
    let app = impatient().await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connected");
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: govgraph\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
        .await
        .expect("sent");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server waited for the body");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("TIMEOUT"), "{text}");
    app.stop().await;
}

/// The client preface of HTTP/2 and an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Reads one HTTP/2 frame: its type and payload.
async fn frame(stream: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut header = [0u8; 9];
    stream
        .read_exact(&mut header)
        .await
        .expect("a frame header");
    let length =
        usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
    let mut payload = vec![0u8; length];
    stream
        .read_exact(&mut payload)
        .await
        .expect("a frame payload");
    (header[3], payload)
}

#[tokio::test]
async fn http2_streams_are_bounded_and_idle_connections_closed() {
    let app = TestApp::spawn_configured(|settings| {
        settings.http = HttpConfig {
            idle_timeout: Duration::from_secs(1),
            http2_max_streams: 7,
            ..HttpConfig::default()
        };
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connected");
    stream.write_all(H2_PREFACE).await.expect("preface sent");
    let (kind, settings) = frame(&mut stream).await;
    assert_eq!(kind, 0x4, "the server's first frame is SETTINGS");
    let max_streams = settings.chunks(6).find_map(|setting| {
        (u16::from_be_bytes([setting[0], setting[1]]) == 0x3)
            .then(|| u32::from_be_bytes([setting[2], setting[3], setting[4], setting[5]]))
    });
    assert_eq!(max_streams, Some(7));
    // Acknowledge its settings, then send nothing: the connection is closed once idle.
    stream
        .write_all(b"\x00\x00\x00\x04\x01\x00\x00\x00\x00")
        .await
        .expect("ack sent");
    assert!(
        closed_within(&mut stream, PATIENCE).await,
        "an idle HTTP/2 connection stayed open"
    );
    app.stop().await;
}
