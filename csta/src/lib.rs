//! CSTA.
