//! The sandbox's answers checked against the official Vonage OpenAPI files: every response a
//! client reads, success and error, validated against the response schema the spec gives
//! for that path, method and status. The files live beside the repository
//! (`../shared/vonage-openapi`); a clone without them skips these tests and says so.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use support::http::{Env, app_body};
use support::tokens::{TEST_PUBLIC, admin_token};

/// Application API 2.4.1, which also holds the current Users API (`/v1/users`).
const APP_241: &str = "api-evangelist-archive/vonage-application-v2-openapi.yml";
/// Application API 2.1.2 from Vonage's spec repo; its errors are `$ref`s into common/.
const APP_212: &str = "definitions/application.v2.yml";
/// Conversation API 3.0.0: `/v0.3/users` (paths relative to `/v0.3`).
const CONV_V3: &str = "definitions/conversation.v3.yml";
const ACCOUNT: &str = "definitions/account.yml";

// ---------------------------------------------------------------------------------------
// Loading the spec files and resolving `$ref`s

/// The spec folder and every file read from it (as JSON), by path.
struct Specs {
    root: PathBuf,
    files: RefCell<HashMap<PathBuf, Value>>,
}

/// The specs, or `None` (after saying so on stderr) when this checkout lacks them.
fn specs() -> Option<Specs> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vonage-openapi");
    if root.join(APP_241).is_file() {
        Some(Specs {
            root,
            files: RefCell::new(HashMap::new()),
        })
    } else {
        support::skip(&format!(
            "the Vonage OpenAPI files are not at {} (they sit beside the repository in CI)",
            root.display()
        ));
        None
    }
}

/// YAML to JSON, with every mapping key as a string (YAML allows `200:` as a number).
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                json!(n.as_f64().unwrap())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml::to_string(&other).unwrap().trim().to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

impl Specs {
    fn load(&self, file: &Path) -> Value {
        let file = file
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if let Some(doc) = self.files.borrow().get(&file) {
            return doc.clone();
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let doc = yaml_to_json(serde_yaml::from_str(&text).unwrap());
        self.files.borrow_mut().insert(file, doc.clone());
        doc
    }

    /// `value` with every `$ref` replaced by what it points at, recursively; refs are
    /// resolved against the file they appear in (`#/...` inside it, `common/x.yml#/...`
    /// beside it). Keys next to a `$ref` are ignored, as JSON Schema draft 4 does.
    fn inline(&self, value: &Value, file: &Path, hops: usize) -> Value {
        assert!(
            hops < 40,
            "$ref chain too deep (cycle?) in {}",
            file.display()
        );
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let (file_part, pointer) = reference.split_once('#').unwrap_or((reference, ""));
                    let target_file = if file_part.is_empty() {
                        file.to_path_buf()
                    } else {
                        file.parent().unwrap().join(file_part)
                    };
                    let doc = self.load(&target_file);
                    let target = doc.pointer(pointer).unwrap_or_else(|| {
                        panic!("unresolved $ref {reference} in {}", file.display())
                    });
                    return self.inline(target, &target_file, hops + 1);
                }
                Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), self.inline(v, file, hops)))
                        .collect::<Map<_, _>>(),
                )
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.inline(v, file, hops)).collect())
            }
            other => other.clone(),
        }
    }

    /// The JSON schema of one response in one spec file, with all refs inlined.
    fn response_schema(&self, file: &str, path: &str, method: &str, status: &str) -> Value {
        let file_path = self.root.join(file);
        let doc = self.load(&file_path);
        let response = doc
            .get("paths")
            .and_then(|p| p.get(path))
            .and_then(|p| p.get(method))
            .and_then(|m| m.get("responses"))
            .and_then(|r| r.get(status))
            .unwrap_or_else(|| panic!("{file} has no {method} {path} -> {status}"));
        let response = self.inline(response, &file_path, 0);
        response
            .pointer("/content/application~1json/schema")
            .unwrap_or_else(|| panic!("{file} {method} {path} {status} has no JSON schema"))
            .clone()
    }

    fn validator(&self, file: &str, path: &str, method: &str, status: &str) -> Check {
        let schema = self.response_schema(file, path, method, status);
        Check::new(schema, format!("{file} {method} {path} {status}"))
    }
}

/// A compiled response schema and where it came from.
struct Check {
    validator: jsonschema::Validator,
    origin: String,
}

impl Check {
    fn new(schema: Value, origin: String) -> Check {
        // OpenAPI 3.0 schemas are a draft-4/5 dialect; `example`, `x-*` and friends are
        // unknown keywords and ignored.
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{origin}: schema does not compile: {e}"));
        Check { validator, origin }
    }

    fn errors(&self, instance: &Value) -> Vec<String> {
        self.validator
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    fn accepts(&self, instance: &Value) {
        let errors = self.errors(instance);
        assert!(
            errors.is_empty(),
            "{} refuses the sandbox's answer:\n  {}\nbody: {instance:#}",
            self.origin,
            errors.join("\n  ")
        );
    }

    fn refuses(&self, instance: &Value) {
        assert!(
            !self.errors(instance).is_empty(),
            "{} should refuse {instance}",
            self.origin
        );
    }
}

// ---------------------------------------------------------------------------------------
// Application API

#[tokio::test]
async fn application_answers_match_both_application_specs() {
    let Some(specs) = specs() else { return };
    let env = Env::start().await;
    let (id, created) = env.create_app_answer("contract", TEST_PUBLIC).await;
    env.create_app_answer("contract", TEST_PUBLIC).await;
    let item = format!("/v2/applications/{id}");
    let got = env
        .call(env.basic(Method::GET, &item), StatusCode::OK)
        .await;
    let put = env
        .call(
            env.basic(Method::PUT, &item)
                .json(&app_body("renamed", TEST_PUBLIC)),
            StatusCode::OK,
        )
        .await;
    let list = env
        .call(
            env.basic(Method::GET, "/v2/applications?page_size=1"),
            StatusCode::OK,
        )
        .await;
    assert!(
        list["_links"]["next"].is_object(),
        "a list with a next page"
    );

    // 2.4.1 (developer.vonage.com) and 2.1.2 (Vonage's spec repo, paths under /v2/applications)
    for (file, collection, member) in [
        (APP_241, "/v2/applications", "/v2/applications/{id}"),
        (APP_212, "/", "/{id}"),
    ] {
        specs
            .validator(file, collection, "post", "201")
            .accepts(&created);
        specs.validator(file, member, "get", "200").accepts(&got);
        specs.validator(file, member, "put", "200").accepts(&put);
        specs
            .validator(file, collection, "get", "200")
            .accepts(&list);
    }
    env.sb.stop().await;
}

#[tokio::test]
async fn application_errors_match_both_application_specs() {
    let Some(specs) = specs() else { return };
    let env = Env::start().await;
    let payload = env
        .call(
            env.basic(Method::POST, "/v2/applications").json(&json!({
                "capabilities": { "voice": { "webhooks": { "answer_url": { "address": "x", "http_method": "PUT" } } } }
            })),
            StatusCode::BAD_REQUEST,
        )
        .await;
    let list = env
        .call(
            env.basic(Method::GET, "/v2/applications?page_size=101"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    let unauthorized = env
        .call(
            env.http.get(format!("{}/v2/applications", env.sb.url())),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    let missing = env
        .call(
            env.basic(
                Method::GET,
                "/v2/applications/78d335fa-323d-0114-9c3d-d6f0d48968cf",
            ),
            StatusCode::NOT_FOUND,
        )
        .await;
    let wrong_verb = env
        .call(
            env.basic(Method::PATCH, "/v2/applications"),
            StatusCode::METHOD_NOT_ALLOWED,
        )
        .await;
    let bad_json = env
        .call(
            env.basic(Method::POST, "/v2/applications")
                .header("Content-Type", "application/json")
                .body("{"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    for (file, collection, member) in [
        (APP_241, "/v2/applications", "/v2/applications/{id}"),
        (APP_212, "/", "/{id}"),
    ] {
        let payload_check = specs.validator(file, collection, "post", "400");
        payload_check.accepts(&payload);
        payload_check.accepts(&bad_json);
        specs
            .validator(file, member, "put", "400")
            .accepts(&payload);
        specs
            .validator(file, collection, "get", "400")
            .accepts(&list);
        specs
            .validator(file, collection, "get", "401")
            .accepts(&unauthorized);
        specs
            .validator(file, member, "get", "404")
            .accepts(&missing);
        specs
            .validator(file, member, "delete", "404")
            .accepts(&missing);
        specs
            .validator(file, collection, "get", "405")
            .accepts(&wrong_verb);
    }
    env.sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Users API

/// Creates users and gathers every kind of answer from one Users API root.
struct UserAnswers {
    created: Value,
    list: Value,
    got: Value,
    patched: Value,
    bad_name: Value,
    bad_page_size: Value,
    unauthorized: Value,
    missing: Value,
    duplicate: Value,
}

async fn user_answers(env: &Env, root: &str) -> UserAnswers {
    let (app, _) = env.create_app_answer("contract", TEST_PUBLIC).await;
    let token = admin_token(&app);
    let created = env
        .call(
            env.bearer(Method::POST, root, &token).json(&json!({
                "name": "alice", "display_name": "Alice", "image_url": "https://example.com/alice.png",
                "properties": { "custom_data": { "tier": "gold" } },
                "channels": { "sms": [ { "number": "447700900000" } ] }
            })),
            StatusCode::CREATED,
        )
        .await;
    env.call(
        env.bearer(Method::POST, root, &token)
            .json(&json!({ "name": "bob" })),
        StatusCode::CREATED,
    )
    .await;
    let list = env
        .call(
            env.bearer(Method::GET, &format!("{root}?page_size=1"), &token),
            StatusCode::OK,
        )
        .await;
    assert!(
        list["_links"]["next"].is_object(),
        "a list with a next page"
    );
    let got = env
        .call(
            env.bearer(Method::GET, &format!("{root}/alice"), &token),
            StatusCode::OK,
        )
        .await;
    let id = got["id"].as_str().unwrap().to_owned();
    let patched = env
        .call(
            env.bearer(Method::PATCH, &format!("{root}/{id}"), &token)
                .json(&json!({ "name": "alice", "display_name": "Alice A." })),
            StatusCode::OK,
        )
        .await;
    let bad_name = env
        .call(
            env.bearer(Method::POST, root, &token)
                .json(&json!({ "name": 42 })),
            StatusCode::BAD_REQUEST,
        )
        .await;
    let bad_page_size = env
        .call(
            env.bearer(Method::GET, &format!("{root}?page_size=0"), &token),
            StatusCode::BAD_REQUEST,
        )
        .await;
    let unauthorized = env
        .call(
            env.bearer(Method::GET, root, "not-a-token"),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    let missing = env
        .call(
            env.bearer(Method::GET, &format!("{root}/nobody"), &token),
            StatusCode::NOT_FOUND,
        )
        .await;
    let duplicate = env
        .call(
            env.bearer(Method::POST, root, &token)
                .json(&json!({ "name": "bob" })),
            StatusCode::CONFLICT,
        )
        .await;
    UserAnswers {
        created,
        list,
        got,
        patched,
        bad_name,
        bad_page_size,
        unauthorized,
        missing,
        duplicate,
    }
}

#[tokio::test]
async fn v1_users_answers_match_the_application_spec() {
    let Some(specs) = specs() else { return };
    let env = Env::start().await;
    let a = user_answers(&env, "/v1/users").await;
    let (collection, member) = ("/v1/users", "/v1/users/{id}");
    specs
        .validator(APP_241, collection, "post", "201")
        .accepts(&a.created);
    specs
        .validator(APP_241, collection, "get", "200")
        .accepts(&a.list);
    specs
        .validator(APP_241, member, "get", "200")
        .accepts(&a.got);
    specs
        .validator(APP_241, member, "patch", "200")
        .accepts(&a.patched);
    specs
        .validator(APP_241, collection, "post", "400")
        .accepts(&a.bad_name);
    specs
        .validator(APP_241, member, "patch", "400")
        .accepts(&a.bad_name);
    specs
        .validator(APP_241, collection, "get", "400")
        .accepts(&a.bad_page_size);
    for (path, method) in [(collection, "get"), (collection, "post"), (member, "get")] {
        specs
            .validator(APP_241, path, method, "401")
            .accepts(&a.unauthorized);
    }
    specs
        .validator(APP_241, member, "get", "404")
        .accepts(&a.missing);
    specs
        .validator(APP_241, member, "delete", "404")
        .accepts(&a.missing);
    // The v1 spec lists no 409; the duplicate-name body is the one v0.3 documents.
    specs
        .validator(CONV_V3, "/users", "post", "409")
        .accepts(&a.duplicate);
    specs
        .validator(CONV_V3, "/users/{user_id}", "patch", "409")
        .accepts(&a.duplicate);
    env.sb.stop().await;
}

#[tokio::test]
async fn v03_users_answers_match_the_conversation_spec() {
    let Some(specs) = specs() else { return };
    let env = Env::start().await;
    let a = user_answers(&env, "/v0.3/users").await;
    let mut list_check = specs.response_schema(CONV_V3, "/users", "get", "200");
    // The v0.3 file misspells the required `cursor` as `coursor` (the v1 spec has `cursor`);
    // checking the real name is the faithful reading.
    let required = list_check["required"].as_array_mut().unwrap();
    assert!(
        required.contains(&json!("coursor")),
        "the typo is still there"
    );
    for name in required.iter_mut() {
        if name == "coursor" {
            *name = json!("cursor");
        }
    }
    Check::new(list_check, format!("{CONV_V3} get /users 200")).accepts(&a.list);
    specs
        .validator(CONV_V3, "/users", "post", "201")
        .accepts(&a.created);
    specs
        .validator(CONV_V3, "/users/{user_id}", "get", "200")
        .accepts(&a.got);
    specs
        .validator(CONV_V3, "/users/{user_id}", "patch", "200")
        .accepts(&a.patched);
    specs
        .validator(CONV_V3, "/users", "post", "400")
        .accepts(&a.bad_name);
    specs
        .validator(CONV_V3, "/users", "get", "400")
        .accepts(&a.bad_page_size);
    specs
        .validator(CONV_V3, "/users", "get", "401")
        .accepts(&a.unauthorized);
    specs
        .validator(CONV_V3, "/users/{user_id}", "get", "404")
        .accepts(&a.missing);
    specs
        .validator(CONV_V3, "/users", "post", "409")
        .accepts(&a.duplicate);
    assert!(a.got["timestamp"]["created"].is_string());
    env.sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Account

#[tokio::test]
async fn balance_answers_match_the_account_spec() {
    let Some(specs) = specs() else { return };
    let env = Env::start().await;
    let balance = env
        .call(
            env.basic(Method::GET, "/account/get-balance"),
            StatusCode::OK,
        )
        .await;
    let refused = env
        .call(
            env.http
                .get(format!("{}/account/get-balance", env.sb.url()))
                .query(&[("api_key", "nobody"), ("api_secret", "nothing")]),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    specs
        .validator(ACCOUNT, "/account/get-balance", "get", "200")
        .accepts(&balance);
    specs
        .validator(ACCOUNT, "/account/get-balance", "get", "401")
        .accepts(&refused);
    env.sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// The check itself

/// Proves the schema check is not vacuous: wrong bodies, including mutated real answers,
/// are refused.
#[tokio::test]
async fn the_schema_check_refuses_wrong_bodies() {
    let Some(specs) = specs() else { return };
    let env = Env::start().await;
    let a = user_answers(&env, "/v1/users").await;

    let user = specs.validator(APP_241, "/v1/users/{id}", "get", "200");
    user.accepts(&a.got);
    let mut wrong = a.got.clone();
    wrong["id"] = json!(42);
    user.refuses(&wrong);
    let mut wrong = a.got.clone();
    wrong["channels"]["pstn"] = json!([{ "number": "not an integer" }]);
    user.refuses(&wrong);

    let list = specs.validator(APP_241, "/v1/users", "get", "200");
    list.accepts(&a.list);
    let mut wrong = a.list.clone();
    wrong.as_object_mut().unwrap().remove("_embedded");
    list.refuses(&wrong);
    let mut wrong = a.list.clone();
    wrong["_links"].as_object_mut().unwrap().remove("first");
    list.refuses(&wrong);
    let mut wrong = a.list.clone();
    wrong["page_size"] = json!(1000);
    list.refuses(&wrong);
    let mut wrong = a.list.clone();
    wrong["_embedded"]["users"][0]["name"] = json!(["alice"]);
    list.refuses(&wrong);

    let unauthorized = specs.validator(APP_241, "/v1/users", "get", "401");
    let mut wrong = a.unauthorized.clone();
    wrong["code"] = json!(401);
    unauthorized.refuses(&wrong);

    // External refs (common/common_errors.yml) are resolved and checked too.
    let not_found = specs.validator(APP_212, "/{id}", "get", "404");
    not_found.refuses(&json!({ "type": "x", "title": "Not Found", "instance": 7 }));

    let balance = specs.validator(ACCOUNT, "/account/get-balance", "get", "200");
    balance.accepts(&json!({ "value": 10.5, "autoReload": false }));
    balance.refuses(&json!({ "value": "10.5", "autoReload": false }));
    balance.refuses(&json!({ "value": 10.5, "autoReload": "no" }));

    let apps = specs.validator(APP_241, "/v2/applications", "get", "200");
    apps.refuses(&json!({ "page_size": "10", "_embedded": { "applications": [] } }));
    apps.refuses(&json!({ "_embedded": { "applications": [ { "id": 5 } ] } }));
    env.sb.stop().await;
}
