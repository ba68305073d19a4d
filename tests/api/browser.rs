//! A real headless Chromium driven over the DevTools protocol, for the pages govgraph serves to
//! browsers. Every request the page makes passes through the test: one to 127.0.0.1 goes on,
//! any other is failed and counted, and Chromium resolves no other host name either.
//!
//! Chromium is Debian's `chromium-headless-shell` (or `chromium`), or the program named by
//! `GOVGRAPH_TEST_CHROMIUM`. Without one a test skips with the reason, and fails under CI.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::browser::{
    DownloadProgressState, EventDownloadProgress, EventDownloadWillBegin,
    SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EventRequestPaused, FailRequestParams,
};
use chromiumoxide::cdp::browser_protocol::network::ErrorReason;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::helpers;

/// Where Debian installs a Chromium, the headless shell first: it makes no request of its own.
const CANDIDATES: [&str; 3] = [
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
    "/usr/bin/chromium",
];

/// The longest a page may take to reach a state a test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

/// The Chromium program to run, or why there is none.
fn program() -> Result<PathBuf, String> {
    if let Some(named) = std::env::var_os("GOVGRAPH_TEST_CHROMIUM") {
        let named = PathBuf::from(named);
        return if named.is_file() {
            Ok(named)
        } else {
            Err(format!(
                "GOVGRAPH_TEST_CHROMIUM names {}, which is not a file",
                named.display()
            ))
        };
    }
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .ok_or_else(|| {
            "no Chromium: `apt-get install chromium-headless-shell`, or name one in \
             GOVGRAPH_TEST_CHROMIUM"
                .to_owned()
        })
}

/// Whether `url` stays on this machine: a page's own data and the loopback address.
fn on_loopback(url: &str) -> bool {
    [
        "data:",
        "blob:",
        "about:",
        "http://127.0.0.1:",
        "ws://127.0.0.1:",
    ]
    .iter()
    .any(|start| url.starts_with(start))
}

/// A Chromium of a test's own, with one page open; its profile is a new directory, removed with
/// it.
pub struct Chromium {
    browser: Browser,
    events: JoinHandle<()>,
    guard: JoinHandle<()>,
    page: Page,
    outside: Arc<Mutex<Vec<String>>>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Starts Chromium with a `width` × `height` window, or `None` (after saying why) when there
    /// is none to start outside CI.
    pub async fn launch(test: &str, width: u32, height: u32) -> Option<Self> {
        let program = match program() {
            Ok(program) => program,
            Err(missing) => {
                helpers::available(test, Some(missing));
                return None;
            }
        };
        let profile = tempfile::tempdir().expect("a profile directory");
        let config = BrowserConfig::builder()
            .chrome_executable(&program)
            .user_data_dir(profile.path())
            .no_sandbox()
            .window_size(width, height)
            .viewport(None)
            .enable_request_intercept()
            .arg(("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"))
            .launch_timeout(PATIENCE)
            .request_timeout(PATIENCE)
            .build()
            .expect("a browser configuration");
        let (browser, mut handler) = Browser::launch(config)
            .await
            .unwrap_or_else(|e| panic!("{} does not start: {e}", program.display()));
        let events = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if event.is_err() {
                    break;
                }
            }
        });
        let page = browser.new_page("about:blank").await.expect("a new page");
        let outside = Arc::new(Mutex::new(Vec::new()));
        let guard = guard(&page, outside.clone()).await;
        Some(Self {
            browser,
            events,
            guard,
            page,
            outside,
            _profile: profile,
        })
    }

    /// The open page.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Sends the page to `url`, as a link would, and waits until the new document has replaced
    /// the old one; what loads in it is for [`Chromium::until`] to wait for.
    pub async fn open(&self, url: &str) {
        self.page
            .evaluate(format!(
                "window.leavingForTest = true; window.location.assign({url:?})"
            ))
            .await
            .unwrap_or_else(|e| panic!("{url} does not open: {e}"));
        self.until(
            "window.leavingForTest === undefined",
            &format!("{url} opens"),
        )
        .await;
    }

    /// The value of the JavaScript `expression`, awaited if it is a promise.
    pub async fn eval<T: DeserializeOwned>(&self, expression: &str) -> T {
        self.page
            .evaluate(expression)
            .await
            .unwrap_or_else(|e| panic!("`{expression}` fails: {e}"))
            .into_value()
            .unwrap_or_else(|e| panic!("`{expression}` is not what the test expects: {e}"))
    }

    /// Waits until the JavaScript `condition` holds, checking it on each frame the page draws;
    /// fails the test, naming `what`, if it does not hold within [`PATIENCE`]. A page still
    /// loading has no script to check it with yet, and is asked again at once.
    pub async fn until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline
                .saturating_duration_since(Instant::now())
                .as_millis();
            let check = format!(
                "new Promise((resolve) => {{ \
                   const end = performance.now() + {left}; \
                   const check = () => {{ \
                     let held = false; \
                     try {{ held = Boolean({condition}); }} catch (_) {{}} \
                     if (held || performance.now() > end) {{ resolve(held); }} \
                     else {{ requestAnimationFrame(check); }} \
                   }}; \
                   check(); \
                 }})"
            );
            let held = match self.page.evaluate(check).await {
                Ok(result) => result.into_value::<bool>().unwrap_or(false),
                // The page is between two documents: ask the next one, which answers once
                // Chromium has made its script context.
                Err(_) if Instant::now() < deadline => continue,
                Err(e) => panic!("the page never reached: {what} ({e})"),
            };
            assert!(held, "the page never reached: {what} ({condition})");
            return;
        }
    }

    /// Saves a picture of the page as `target/browser-screenshots/NAME.png`, kept by CI.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&directory).expect("the screenshots' directory");
        let path = directory.join(format!("{name}.png"));
        self.page
            .save_screenshot(
                ScreenshotParams::builder()
                    .format(CaptureScreenshotFormat::Png)
                    .build(),
                &path,
            )
            .await
            .unwrap_or_else(|e| panic!("no screenshot {name}: {e}"));
        path
    }

    /// Clicks the element `selector`, which starts a download, and returns the file saved
    /// into `directory` once Chromium has written it whole.
    pub async fn download(&self, selector: &str, directory: &Path) -> PathBuf {
        self.browser
            .execute(
                SetDownloadBehaviorParams::builder()
                    .behavior(SetDownloadBehaviorBehavior::Allow)
                    .download_path(directory.display().to_string())
                    .events_enabled(true)
                    .build()
                    .expect("a download behaviour"),
            )
            .await
            .expect("downloads are allowed");
        let mut begun = self
            .browser
            .event_listener::<EventDownloadWillBegin>()
            .await
            .expect("downloads are reported");
        let mut progress = self
            .browser
            .event_listener::<EventDownloadProgress>()
            .await
            .expect("downloads are reported");
        self.click(selector).await;
        tokio::time::timeout(PATIENCE, async {
            let begun = begun.next().await.expect("a download begins");
            while let Some(event) = progress.next().await {
                if event.guid != begun.guid {
                    continue;
                }
                match event.state {
                    DownloadProgressState::Completed => {
                        return directory.join(&begun.suggested_filename);
                    }
                    DownloadProgressState::Canceled => panic!("{selector}'s download failed"),
                    DownloadProgressState::InProgress => {}
                }
            }
            panic!("Chromium stopped reporting {selector}'s download")
        })
        .await
        .unwrap_or_else(|_| panic!("{selector}'s download did not finish"))
    }

    /// Clicks the element `selector`, as a person would with the mouse.
    pub async fn click(&self, selector: &str) {
        self.page
            .find_element(selector)
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{selector} cannot be clicked: {e}"));
    }

    /// Presses `key` in whatever has the focus.
    pub async fn press(&self, key: &str) {
        self.page
            .find_element("body")
            .await
            .expect("a body")
            .press_key(key)
            .await
            .unwrap_or_else(|e| panic!("{key} cannot be pressed: {e}"));
    }

    /// Shows the page as a browser zoomed to `percent` would: the same window, with fewer
    /// and larger CSS pixels.
    pub async fn zoom(&self, width: u32, height: u32, percent: u32) {
        self.page
            .execute(SetDeviceMetricsOverrideParams::new(
                i64::from(width * 100 / percent),
                i64::from(height * 100 / percent),
                f64::from(percent) / 100.0,
                false,
            ))
            .await
            .expect("the page can be zoomed");
    }

    /// Every request the page tried to make outside 127.0.0.1, each failed.
    pub fn outside_requests(&self) -> Vec<String> {
        self.outside.lock().expect("the outside requests").clone()
    }

    /// Closes Chromium and waits for its process to end.
    pub async fn close(mut self) {
        self.browser.close().await.expect("Chromium closes");
        self.browser.wait().await.expect("Chromium's process ends");
        self.guard.abort();
        self.events.abort();
    }
}

/// Answers every request `page` makes: one to 127.0.0.1 goes on, any other fails as blocked by
/// the client and joins `outside`.
async fn guard(page: &Page, outside: Arc<Mutex<Vec<String>>>) -> JoinHandle<()> {
    let mut paused = page
        .event_listener::<EventRequestPaused>()
        .await
        .expect("requests are intercepted");
    let page = page.clone();
    tokio::spawn(async move {
        while let Some(request) = paused.next().await {
            let url = &request.request.url;
            let answered = if on_loopback(url) {
                page.execute(ContinueRequestParams::new(request.request_id.clone()))
                    .await
                    .map(drop)
            } else {
                outside
                    .lock()
                    .expect("the outside requests")
                    .push(url.clone());
                page.execute(FailRequestParams::new(
                    request.request_id.clone(),
                    ErrorReason::BlockedByClient,
                ))
                .await
                .map(drop)
            };
            // A request the page gave up on meanwhile has no one left to answer.
            drop(answered);
        }
    })
}
