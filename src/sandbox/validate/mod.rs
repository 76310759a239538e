//! What the APIs refuse in a request, one reason per bad field, in each API's own wording:
//! bodies and list queries of the Application API and of the Users API, and the
//! Conversation API bodies the sandbox keeps.

pub mod application;
pub mod conversation;
pub mod user;
