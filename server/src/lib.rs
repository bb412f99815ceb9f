//! The uaCSTA server: what the estos uaCSTA Server, 3CX, Cisco CME or Mitel MX-ONE is to real phones. A
//! registrar and proxy that phones register to with their MAC address, that opens a CSTA dialog to every
//! registered phone and offers the phones as CSTA devices to CTI clients.
//!
//! The protocol logic is sans-IO, like the SIP and CSTA crates it builds on.

pub mod client_tr87;
pub mod client_xml;
pub mod core;
pub mod mac;
pub mod monitors;
pub mod phone_session;
pub mod registrar;
pub mod run;
