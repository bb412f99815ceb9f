//! Sans-IO SIP.

pub mod auth;
pub mod ids;
