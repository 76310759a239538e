//! What the APIs refuse in a request, one reason per bad field, in each API's own wording:
//! bodies and list queries of the Application API and of the Users API.

pub mod application;
pub mod user;
