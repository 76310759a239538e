#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

//! Compatibility with a client written against the real Vonage API, not this project's:
//! Vonage's official Node SDK (`@vonage/applications`, `@vonage/users`, versions pinned in
//! tests/node_sdk/package.json and package-lock.json) runs tests/node_sdk/flow.mjs against
//! `vonage-onboard sandbox`, given only the sandbox's base URL (the SDK's `apiHost` option)
//! and its key/secret.
//!
//! Needs node and npm (skipped, saying so, without them) and the npm registry for
//! `npm ci` (a failure there fails the test, unless VONAGE_ONBOARD_SKIP_NODE_SDK=1).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use support::node::{Install, available, copy_project, npm_ci, run_bounded};

/// `npm ci` of 23 small packages; a cold cache on a slow network still fits.
const NPM_TIMEOUT: Duration = Duration::from_secs(60);
/// The flow bounds itself at 40 s (and each request at 10 s); this is the backstop.
const FLOW_TIMEOUT: Duration = Duration::from_secs(50);

const SKIP_ENV: &str = "VONAGE_ONBOARD_SKIP_NODE_SDK";

fn is_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::parse_str(text).is_ok()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn the_vonage_node_sdk_works_against_the_sandbox_given_only_its_base_url() {
    if !available("node") || !available("npm") {
        support::skip("node/npm not installed, cannot run the Vonage Node SDK against the sandbox");
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("node_sdk");
    copy_project("node_sdk", &project, &["flow.mjs"]);
    if let Install::Skipped = npm_ci(&project, NPM_TIMEOUT, SKIP_ENV) {
        return;
    }
    let installed = started.elapsed();

    let sandbox = support::start_sandbox(dir.path(), &[]);
    let flow_started = Instant::now();
    let flow = run_bounded(
        Command::new("node")
            .arg("flow.mjs")
            .env("SANDBOX_URL", &sandbox.url)
            .env("API_KEY", &sandbox.api_key)
            .env("API_SECRET", &sandbox.api_secret)
            .current_dir(&project),
        FLOW_TIMEOUT,
    );
    assert!(
        flow.ok(),
        "the Vonage Node SDK failed against the sandbox: {}\n--- sandbox log ---\n{}",
        flow.describe(FLOW_TIMEOUT),
        sandbox.log()
    );
    println!(
        "npm ci {installed:.1?}, SDK flow {:.1?}",
        flow_started.elapsed()
    );
    let line = flow.stdout.lines().last().unwrap_or_default();
    let seen: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("flow.mjs printed no JSON line ({e}): {}", flow.stdout));
    println!("{seen}");

    // Application API v2 with Basic auth.
    assert_eq!(seen["applications_before"], 0, "{seen}");
    let app_id = seen["application_id"].as_str().unwrap();
    let second_id = seen["second_application_id"].as_str().unwrap();
    assert!(is_uuid(app_id), "application id {app_id:?}");
    assert!(is_uuid(second_id), "application id {second_id:?}");
    assert_eq!(seen["application_name"], "node-sdk-compat");
    assert_eq!(
        seen["has_private_key"], true,
        "no generated private key in the create answer"
    );
    assert_eq!(seen["rtc_event_url"], "https://example.com/rtc/event");
    assert_eq!(seen["second_keeps_public_key"], true);
    assert_eq!(seen["fetched_application_name"], "node-sdk-compat");
    assert_eq!(
        strings(&seen["applications_listed"]),
        [app_id, second_id],
        "listAllApplications with one a page"
    );
    assert_eq!(seen["renamed_application_name"], "node-sdk-compat-renamed");

    // Users API with the SDK's own RS256 JWTs, paged through `_links.next.href`.
    let user_ids = strings(&seen["user_ids"]);
    assert_eq!(user_ids.len(), 5, "{seen}");
    assert!(user_ids.iter().all(|id| id.starts_with("USR-")), "{seen}");
    let mut distinct = user_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "user ids repeat: {user_ids:?}");
    assert_eq!(seen["created_custom_data"]["team"], "compat");
    assert_eq!(
        strings(&seen["users_listed"]),
        ["alice", "bob", "carol", "dave", "erin"]
    );
    assert_eq!(
        seen["user_pages_fetched"], 3,
        "5 users, 2 a page, are 3 pages"
    );
    let next = seen["first_page_next_href"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/v1/users?", sandbox.url)) && next.contains("cursor="),
        "next link {next:?}"
    );
    assert_eq!(strings(&seen["users_named_carol"]), [user_ids[2]]);
    assert_eq!(seen["carol_by_name_id"], user_ids[2]);
    assert_eq!(seen["carol_by_id_name"], "carol");
    assert_eq!(seen["patched_display_name"], "Carol C.");
    assert_eq!(seen["duplicate_name_status"], 409);
    assert_eq!(seen["deleted_user_lookup_status"], 404);
    assert_eq!(
        strings(&seen["users_after_delete"]),
        ["alice", "carol", "dave", "erin"]
    );
    assert_eq!(seen["user_pages_after_delete"], 2);
    assert_eq!(strings(&seen["second_app_users"]), ["frank"]);
    assert!(
        seen["second_app_user_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("USR-")),
        "{seen}"
    );
    assert_eq!(seen["wrong_key_status"], 401);
    assert_eq!(seen["deleted_application_lookup_status"], 404);
    assert_eq!(seen["applications_after"], 1);
    drop(sandbox);
    println!("node SDK test took {:.1?}", started.elapsed());
}
