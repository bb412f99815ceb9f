//! CSTA.
pub mod correlation;
pub mod framing;
