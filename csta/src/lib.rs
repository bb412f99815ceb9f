//! CSTA.
pub mod framing;
