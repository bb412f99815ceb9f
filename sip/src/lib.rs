//! Sans-IO SIP for uacsta: messages (RFC 3261 §7), URIs (§19), typed headers (§20), and the layers built
//! on them. Nothing here opens a socket or reads a clock: callers pass bytes and `Instant`s in and get
//! messages, timers and bytes out. The tokio transports live behind the `transport` feature.

pub mod auth;
pub mod dialog;
pub mod header;
pub mod ids;
pub mod message;
pub mod parse;
pub mod session_timer;
pub mod transaction;
pub mod uri;

#[cfg(feature = "transport")]
pub mod transport;
#[cfg(feature = "transport")]
pub mod ua;

pub use header::HeaderError;
pub use message::{
    Header, HeaderName, HeaderValue, Headers, Message, Method, Request, Response, SIP_VERSION,
    StatusCode, TypedHeader,
};
pub use parse::{
    Limits, ParseError, ParseErrorKind, RequestPolicy, StreamItem, StreamParser, parse_datagram,
    validate_request,
};
pub use uri::{Host, Params, Uri};
