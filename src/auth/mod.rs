//! Keys (`rsa`), JWTs (`jsonwebtoken`), ACLs and TTLs: everything about minting and checking
//! Vonage tokens, no IO beyond reading a key file.

pub mod acl;
pub mod jwt;
pub mod keys;
pub mod provider;
pub mod ttl;
pub mod verify;

#[cfg(test)]
pub(crate) mod fixtures;
