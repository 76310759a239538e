//! The open sessions: who each is, the socket it is on, and a timer that ends it (a
//! Socket.IO disconnect, `41`) when its current token expires and was not refreshed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use serde::Serialize;
use socketioxide::SocketIo;
use socketioxide::socket::Sid;
use tokio::task::AbortHandle;

/// Who a session is for. `id` is `SES-` and a uuid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    pub application_id: String,
    pub user_id: String,
    pub user_name: String,
}

struct Entry {
    info: SessionInfo,
    /// Unix time the session's current token expires.
    expires_at: u64,
    /// The connection it is on; `None` between a dropped connection and a resume.
    socket: Option<Sid>,
    timer: AbortHandle,
}

/// Why a session could not be opened or refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// As many sessions as the sandbox keeps are open.
    Full,
    NotFound,
    /// The token is for another user or application than the session.
    OtherUser,
}

/// The registry; one per sandbox.
pub struct Sessions {
    io: SocketIo,
    max: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    pub fn new(io: SocketIo, max: usize) -> Self {
        Sessions {
            io,
            max,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens a session for `user` on `socket` whose token expires in `expires_in` seconds.
    pub fn open(
        self: &Arc<Self>,
        application_id: &str,
        user_id: &str,
        user_name: &str,
        expires_in: u64,
        socket: Sid,
    ) -> Result<SessionInfo, SessionError> {
        let mut entries = self.lock();
        if entries.len() >= self.max {
            // Full: a session no connection is on (waiting for a resume) gives way first.
            let detached = entries
                .iter()
                .find(|(_, e)| e.socket.is_none())
                .map(|(id, _)| id.clone())
                .ok_or(SessionError::Full)?;
            if let Some(gone) = entries.remove(&detached) {
                gone.timer.abort();
            }
        }
        let info = SessionInfo {
            id: format!("SES-{}", uuid::Uuid::new_v4()),
            application_id: application_id.to_owned(),
            user_id: user_id.to_owned(),
            user_name: user_name.to_owned(),
        };
        let entry = Entry {
            info: info.clone(),
            expires_at: crate::clock::unix_now() + expires_in,
            socket: Some(socket),
            timer: self.expire_after(&info.id, expires_in),
        };
        entries.insert(info.id.clone(), entry);
        Ok(info)
    }

    /// Moves session `id` to `socket` with a newer token of the same user.
    pub fn resume(
        self: &Arc<Self>,
        id: &str,
        application_id: &str,
        user_id: &str,
        expires_in: u64,
        socket: Sid,
    ) -> Result<SessionInfo, SessionError> {
        let info = self.refresh(id, application_id, user_id, expires_in)?;
        if let Some(entry) = self.lock().get_mut(id) {
            entry.socket = Some(socket);
        }
        Ok(info)
    }

    /// Replaces session `id`'s token with one of the same user that expires in `expires_in`.
    pub fn refresh(
        self: &Arc<Self>,
        id: &str,
        application_id: &str,
        user_id: &str,
        expires_in: u64,
    ) -> Result<SessionInfo, SessionError> {
        let mut entries = self.lock();
        let entry = entries.get_mut(id).ok_or(SessionError::NotFound)?;
        if entry.info.application_id != application_id || entry.info.user_id != user_id {
            return Err(SessionError::OtherUser);
        }
        entry.timer.abort();
        entry.timer = self.expire_after(id, expires_in);
        entry.expires_at = crate::clock::unix_now() + expires_in;
        Ok(entry.info.clone())
    }

    /// The session on `socket`, if any.
    pub fn on_socket(&self, socket: Sid) -> Option<SessionInfo> {
        self.lock()
            .values()
            .find(|e| e.socket == Some(socket))
            .map(|e| e.info.clone())
    }

    /// Ends session `id` (a logout); its socket stays for the client to close.
    pub fn end(&self, id: &str) -> Option<SessionInfo> {
        let entry = self.lock().remove(id)?;
        entry.timer.abort();
        Some(entry.info)
    }

    /// The connection `socket` is gone: its session waits for a resume (or its expiry).
    pub fn detach(&self, socket: Sid) {
        for entry in self.lock().values_mut() {
            if entry.socket == Some(socket) {
                entry.socket = None;
            }
        }
    }

    /// Closes every session connection (the sandbox is stopping).
    pub async fn close(&self) {
        self.lock().clear();
        self.io.close().await;
    }

    /// Emits `event` to every connected session of `user_ids` in `application_id`.
    pub fn push<T: Serialize + ?Sized>(
        &self,
        application_id: &str,
        user_ids: &[&str],
        event: &'static str,
        data: &T,
    ) -> usize {
        let sockets: Vec<Sid> = self
            .lock()
            .values()
            .filter(|e| {
                e.info.application_id == application_id
                    && user_ids.contains(&e.info.user_id.as_str())
            })
            .filter_map(|e| e.socket)
            .collect();
        sockets
            .into_iter()
            .filter_map(|sid| self.io.get_socket(sid))
            .filter(|socket| socket.emit(event, data).is_ok())
            .count()
    }

    /// A timer that ends session `id` after `seconds` unless its token was replaced by then
    /// (a refresh aborts it and starts another). It holds the registry weakly, so a stopped
    /// sandbox's timers keep nothing alive.
    fn expire_after(self: &Arc<Self>, id: &str, seconds: u64) -> AbortHandle {
        let registry: Weak<Sessions> = Arc::downgrade(self);
        let id = id.to_owned();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            if let Some(registry) = registry.upgrade() {
                registry.expire(&id);
            }
        })
        .abort_handle()
    }

    fn expire(&self, id: &str) {
        let socket = {
            let mut entries = self.lock();
            match entries.get(id) {
                Some(entry) if entry.expires_at <= crate::clock::unix_now() => {
                    entries.remove(id).and_then(|e| e.socket)
                }
                _ => return,
            }
        };
        // Socket.IO `41`: the SDK reports this as `sessionError` EXPIRED_TOKEN.
        if let Some(socket) = socket.and_then(|sid| self.io.get_socket(sid)) {
            let _ = socket.disconnect();
        }
    }
}
