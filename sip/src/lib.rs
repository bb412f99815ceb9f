//! Sans-IO SIP.

pub mod ids;
