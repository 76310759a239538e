//! The Conversation API basics a Client SDK tutorial calls after logging in (`/v0.3`):
//! create, list a user's, join, `members/me`, and events; a text message is pushed as a
//! `message` event to the other members' sessions. Kept in memory (not in `--state`), as
//! the sessions are.

use std::sync::{Mutex, MutexGuard};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::errors::ApiError;
use super::extract::{Ctx, JsonObject};
use super::state::UserRecord;
use super::users::of_caller;
use super::validate::conversation;
use crate::clock::rfc3339;

/// At most this many conversations, and members in one; beyond, 429.
pub const MAX_CONVERSATIONS: usize = 1000;
pub const MAX_MEMBERS: usize = 100;

#[derive(Debug, Clone)]
struct Member {
    id: String,
    user_id: String,
    user_name: String,
    display_name: Option<String>,
}

#[derive(Debug, Clone)]
struct Conversation {
    id: String,
    application_id: String,
    name: String,
    display_name: Option<String>,
    created: u64,
    members: Vec<Member>,
    /// The last event id given out.
    last_event: u64,
}

/// The conversations of every application of one sandbox.
#[derive(Debug, Default)]
pub struct Conversations {
    list: Mutex<Vec<Conversation>>,
}

impl Conversations {
    fn lock(&self) -> MutexGuard<'_, Vec<Conversation>> {
        self.list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on conversation `id` of `application_id`, or 404.
    fn with<T>(
        &self,
        application_id: &str,
        id: &str,
        f: impl FnOnce(&mut Conversation) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut list = self.lock();
        let conversation = list
            .iter_mut()
            .find(|c| c.id == id && c.application_id == application_id)
            .ok_or_else(ApiError::conversation_not_found)?;
        f(conversation)
    }
}

fn conversation_json(c: &Conversation) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), c.id.clone().into());
    out.insert("name".into(), c.name.clone().into());
    if let Some(display_name) = &c.display_name {
        out.insert("display_name".into(), display_name.clone().into());
    }
    out.insert("state".into(), "ACTIVE".into());
    out.insert("timestamp".into(), json!({ "created": rfc3339(c.created) }));
    Value::Object(out)
}

fn member_json(m: &Member, conversation_id: &str) -> Value {
    json!({
        "id": m.id,
        "conversation_id": conversation_id,
        "state": "JOINED",
        "user": { "id": m.user_id, "name": m.user_name, "display_name": m.display_name },
        "channel": { "type": "app" },
    })
}

/// `POST /v0.3/conversations` `{name?, display_name?}`.
pub async fn create(
    State(ctx): State<Ctx>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = format!("CON-{}", uuid::Uuid::new_v4());
    let conversation = Conversation {
        name: conversation::text(&body, "name")?.unwrap_or_else(|| id.clone()),
        display_name: conversation::text(&body, "display_name")?,
        id,
        application_id: caller.application_id,
        created: crate::clock::unix_now(),
        members: Vec::new(),
        last_event: 0,
    };
    let mut list = ctx.conversations.lock();
    if list.len() >= MAX_CONVERSATIONS {
        return Err(ApiError::too_many("conversations", MAX_CONVERSATIONS));
    }
    let answer = conversation_json(&conversation);
    list.push(conversation);
    Ok((StatusCode::OK, Json(answer)))
}

/// `GET /v0.3/users/{id}/conversations`: the ones the user (only the caller's own) joined.
pub async fn of_user(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let me = of_caller(&ctx, &caller)?;
    if user != me.id && user != me.name {
        return Err(ApiError::user_not_found());
    }
    let conversations: Vec<Value> = ctx
        .conversations
        .lock()
        .iter()
        .filter(|c| c.application_id == caller.application_id)
        .filter(|c| c.members.iter().any(|m| m.user_id == me.id))
        .map(conversation_json)
        .collect();
    Ok(Json(json!({
        "page_size": conversations.len(),
        "_embedded": { "conversations": conversations },
        "_links": {},
    })))
}

/// The user a join names (`user.id` or `user.name`), else the caller.
fn joining_user(
    ctx: &Ctx,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<UserRecord, ApiError> {
    let named = body.get("user").and_then(|u| {
        u.get("id")
            .and_then(Value::as_str)
            .or_else(|| u.get("name").and_then(Value::as_str))
    });
    match named {
        None => of_caller(ctx, caller),
        Some(who) => ctx
            .store
            .read(|d| d.app(&caller.application_id)?.user(who).cloned())
            .ok_or_else(ApiError::user_not_found),
    }
}

/// `POST /v0.3/conversations/{id}/members`: joins a user (again: the same member).
pub async fn join(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = joining_user(&ctx, &caller, &body)?;
    ctx.conversations.with(&caller.application_id, &id, |c| {
        if let Some(member) = c.members.iter().find(|m| m.user_id == user.id) {
            return Ok((StatusCode::OK, Json(member_json(member, &c.id))));
        }
        if c.members.len() >= MAX_MEMBERS {
            return Err(ApiError::too_many("members in a conversation", MAX_MEMBERS));
        }
        let member = Member {
            id: format!("MEM-{}", uuid::Uuid::new_v4()),
            user_id: user.id.clone(),
            user_name: user.name.clone(),
            display_name: user.display_name.clone(),
        };
        let answer = member_json(&member, &c.id);
        c.members.push(member);
        Ok((StatusCode::CREATED, Json(answer)))
    })
}

/// `GET /v0.3/conversations/{id}/members/me`.
pub async fn member_me(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let me = of_caller(&ctx, &caller)?;
    ctx.conversations.with(&caller.application_id, &id, |c| {
        c.members
            .iter()
            .find(|m| m.user_id == me.id)
            .map(|m| Json(member_json(m, &c.id)))
            .ok_or_else(ApiError::member_not_found)
    })
}

/// `POST /v0.3/conversations/{id}/events`: a text `message` (pushed to the other members'
/// sessions) or a receipt (`message:delivered`, `message:seen`), from a member.
pub async fn event(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let me = of_caller(&ctx, &caller)?;
    let text = conversation::event_text(&body)?;
    let now = crate::clock::unix_now();
    let (event_id, from, others) = ctx.conversations.with(&caller.application_id, &id, |c| {
        let from = c
            .members
            .iter()
            .find(|m| m.user_id == me.id)
            .cloned()
            .ok_or_else(ApiError::not_a_member)?;
        c.last_event += 1;
        let others: Vec<String> = c
            .members
            .iter()
            .filter(|m| m.user_id != me.id)
            .map(|m| m.user_id.clone())
            .collect();
        Ok((c.last_event, from, others))
    })?;
    let timestamp = rfc3339(now);
    if let Some(text) = text {
        let pushed = json!({
            "id": event_id,
            "type": "message",
            "cid": id,
            "from": from.id,
            "timestamp": timestamp,
            "body": { "message_type": "text", "text": text },
            "_embedded": {
                "from_user": { "id": me.id, "name": me.name, "display_name": me.display_name },
                "from_member": { "id": from.id },
            },
        });
        let others: Vec<&str> = others.iter().map(String::as_str).collect();
        ctx.sessions
            .push(&caller.application_id, &others, "message", &pushed);
    }
    Ok(Json(json!({ "id": event_id, "timestamp": timestamp })))
}
