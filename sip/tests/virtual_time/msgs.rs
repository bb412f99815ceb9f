//! Requests and responses the tests start from, written as literals.

use uacsta_sip::header::{CSeq, Via};
use uacsta_sip::{HeaderName, Host, Method, Request, Response, StatusCode, Uri};

pub const CALL_ID: &str = "a84b4c76e66710@uac.example.com";

pub fn uri(s: &str) -> Uri {
    s.parse().expect("literal URI")
}

pub fn via(host: &str, branch: &str) -> Via {
    Via::new("UDP", Host::Domain(host.to_string()), Some(5060), branch)
}

/// An out-of-dialog request from alice at the UAC to bob at the UAS.
pub fn request(method: Method, branch: &str, seq: u32) -> Request {
    let mut r = Request::new(method.clone(), uri("sip:bob@uas.example.com"));
    r.headers.push_typed(&via("uac.example.com", branch));
    r.headers.push(HeaderName::MaxForwards, "70");
    r.headers.push(
        HeaderName::From,
        "\"Alice\" <sip:alice@example.com>;tag=1928301774",
    );
    r.headers.push(HeaderName::To, "<sip:bob@example.com>");
    r.headers.push(HeaderName::CallId, CALL_ID);
    r.headers.push_typed(&CSeq { seq, method });
    r.headers
        .push(HeaderName::Contact, "<sip:alice@uac.example.com:5060>");
    r
}

/// A response to `request`, To tag `bob-tag` unless the status is 100.
pub fn response(request: &Request, code: u16) -> Response {
    let status = StatusCode::new(code).expect("literal status");
    let tag = (code != 100).then_some("bob-tag");
    let mut r = Response::to_request(request, status, tag);
    if code < 300 && code != 100 {
        r.headers
            .push(HeaderName::Contact, "<sip:bob@uas.example.com:5060>");
    }
    r
}
