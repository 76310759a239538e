//! A real browser (headless Chromium) uses `token serve` as an app in development does: a
//! page from a second loopback origin fetches a token and writes it into the DOM, which the
//! test reads (`--dump-dom`) and verifies; a page from a refused origin gets nothing.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use support::serve::ServeWorld;
use support::{output_within, skip};

/// How long Chromium may take to load the page, run its fetch and dump the DOM.
const BROWSER_LIMIT: Duration = Duration::from_secs(90);

/// A page server on `ip`, any free port, answering every request with `page`. It lives as
/// long as the test process (a thread blocked in `accept`); the listener is loopback only.
fn serve_page(ip: Ipv4Addr, page: String) -> String {
    let listener = TcpListener::bind((IpAddr::V4(ip), 0)).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            // The request head fits one read here; its content does not matter.
            let mut head = [0u8; 8192];
            let _ = stream.read(&mut head);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

/// The test page, its script asking for `request` (`{url, headers}`).
fn page(request: &serde_json::Value) -> String {
    include_str!("browser/fetch_token.html").replace("__REQUEST__", &request.to_string())
}

/// What the page wrote into `#result`, after Chromium ran it.
fn result_of(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut chromium = Command::new("chromium");
    chromium
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url);
    let out = output_within(&mut chromium, BROWSER_LIMIT)
        .unwrap_or_else(|| panic!("chromium did not finish within {BROWSER_LIMIT:?} (killed)"));
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = dom.find("<pre id=\"result\">").unwrap_or_else(|| {
        panic!(
            "no #result in the DOM: {dom}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    }) + "<pre id=\"result\">".len();
    let end = dom[start..].find("</pre>").unwrap() + start;
    dom[start..end].to_owned()
}

#[test]
fn a_page_from_another_loopback_origin_gets_a_token_and_a_refused_origin_gets_nothing() {
    if !support::on_path("chromium") {
        skip(
            "chromium is not installed, so the real-browser test cannot run (scripts/test installs it where it can)",
        );
        return;
    }
    let world = ServeWorld::new();
    let served = world.serve(&[]);

    // An allowed origin (http://127.0.0.1:OTHER_PORT), the key in the header: the browser
    // sends a CORS preflight first, then the GET, and lets the script read the answer.
    let allowed = serve_page(
        Ipv4Addr::LOCALHOST,
        page(&json!({
            "url": format!("{}/token/alice", served.url),
            "headers": { "Authorization": format!("Bearer {}", served.key) },
        })),
    );
    let result = result_of(&allowed);
    let token = result
        .strip_prefix("TOKEN:")
        .unwrap_or_else(|| panic!("the page got no token: {result:?}"));
    let claims = world.verified(token);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["application_id"], world.app_id.as_str());
    let line = served
        .process
        .next_line(Duration::from_secs(5))
        .expect("a served line");
    assert!(line.starts_with("served: alice until "), "{line}");

    // 127.0.0.2 is loopback but not an allowed origin (only http://127.0.0.1:*, localhost
    // and [::1] are). The key in the query makes it a simple request, so the server sees the
    // GET itself: it answers 403 without CORS headers and mints nothing; the script sees a
    // network error.
    let refused = serve_page(
        Ipv4Addr::new(127, 0, 0, 2),
        page(&json!({
            "url": format!("{}/token/alice?key={}", served.url, served.key),
            "headers": {},
        })),
    );
    assert_eq!(result_of(&refused), "REFUSED:TypeError");
    assert!(
        served
            .process
            .next_line(Duration::from_millis(500))
            .is_none(),
        "a token was served to a refused origin"
    );
}
