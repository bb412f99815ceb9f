//! RFC 4475 torture messages, kept byte for byte in `tests/torture/` (see the README there), each with
//! the verdict the RFC expects and the layer that delivers it: the parser ([`parse_datagram`]), the
//! typed header accessors, or the application checks of [`validate_request`].

use uacsta_sip::header::{CSeq, CallId, Contact, ContentType, Date, From, MaxForwards, To, Via};
use uacsta_sip::uri::{Host, unescape};
use uacsta_sip::{
    HeaderName, Limits, Message, Method, ParseError, ParseErrorKind, Request, RequestPolicy,
    Response, StatusCode, StreamItem, StreamParser, TypedHeader, Uri, parse_datagram,
    validate_request,
};

fn raw(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/torture/{name}.dat", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str) -> Message {
    parse_datagram(&raw(name), &Limits::default())
        .unwrap_or_else(|e| panic!("{name} rejected: {e}"))
}

fn request(name: &str) -> Request {
    match parse(name) {
        Message::Request(r) => r,
        Message::Response(r) => panic!("{name} is a response: {r:?}"),
    }
}

fn response(name: &str) -> Response {
    match parse(name) {
        Message::Response(r) => r,
        Message::Request(r) => panic!("{name} is a request: {r:?}"),
    }
}

fn rejected(name: &str) -> ParseError {
    match parse_datagram(&raw(name), &Limits::default()) {
        Ok(m) => panic!("{name} accepted: {m:?}"),
        Err(e) => e,
    }
}

fn validated(name: &str) -> Result<(), ParseError> {
    validate_request(&request(name), &RequestPolicy::default())
}

fn invalid(name: &str) -> ParseError {
    validated(name).expect_err(name)
}

fn value<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(&HeaderName::parse(name))
}

// 3.1.1 Valid messages: the parser accepts them and the fields read back as the RFC describes.

#[test]
fn wsinv_short_tortuous_invite() {
    let r = request("wsinv");
    assert_eq!(r.method, Method::Invite);
    let uri = r.uri.as_sip().unwrap();
    assert_eq!(uri.user.as_deref(), Some("vivekg"));
    assert_eq!(uri.params.get("unknownparam"), Some(None));
    let to: To = r.headers.require().unwrap();
    assert_eq!(to.tag().as_deref(), Some("1918181833n"));
    let from: From = r.headers.require().unwrap();
    assert_eq!(from.display.as_deref(), Some(r#"J Rosenberg \""#));
    assert_eq!(from.tag().as_deref(), Some("98asjd8"));
    assert_eq!(r.headers.require::<MaxForwards>().unwrap(), MaxForwards(68));
    assert_eq!(
        r.headers.require::<CSeq>().unwrap(),
        CSeq {
            seq: 9,
            method: Method::Invite
        }
    );
    let vias = r.headers.typed_all::<Via>().unwrap();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].branch().as_deref(), Some("390skdjuw"));
    assert_eq!(vias[0].host, Host::Ip("192.0.2.2".parse().unwrap()));
    assert_eq!(vias[1].transport, "TCP");
    assert_eq!(vias[1].branch().as_deref(), Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].branch().as_deref(), Some("z9hG4bK30239"));
    assert_eq!(
        value(&r, "NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(value(&r, "UnknownHeaderWithUnusualValue"), Some(";;,,;;,;"));
    assert_eq!(value(&r, "Subject"), Some(""));
    let contact: Contact = r.headers.require().unwrap();
    let contact = contact.address().unwrap();
    assert_eq!(contact.display.as_deref(), Some(r#"Quoted string """#));
    assert_eq!(contact.params.get("newparam"), Some(Some("newvalue")));
    assert_eq!(contact.params.get("secondparam"), Some(None));
    assert_eq!(contact.params.get("q"), Some(Some("0.33")));
    assert_eq!(r.body.len(), 150);
    assert!(r.body.starts_with(b"v=0\r\n"));
    assert_eq!(validated("wsinv"), Ok(()));
}

#[test]
fn intmeth_wide_range_of_valid_characters() {
    let r = request("intmeth");
    let method = "!interesting-Method0123456789_*+`.%indeed'~";
    assert_eq!(r.method, Method::Other(method.into()));
    assert_eq!(r.headers.require::<CSeq>().unwrap().method.as_str(), method);
    let uri = r.uri.as_sip().unwrap();
    assert_eq!(
        uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        uri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    let to: To = r.headers.require().unwrap();
    assert_eq!(to.display.as_deref(), Some("BEL:\x07 NUL:\0 DEL:\x7f"));
    let from: From = r.headers.require().unwrap();
    assert_eq!(
        from.display.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(from.tag().as_deref(), Some("_token~1'+`*%!-."));
    assert_eq!(
        from.params.value("fromParam''~+*_!.-%").as_deref(),
        Some("\u{440}\u{430}\u{431}\u{43e}\u{442}\u{430}\u{44e}\u{449}\u{438}\u{439}")
    );
    assert_eq!(
        r.headers.require::<CallId>().unwrap().0,
        r#"intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{"#
    );
    assert_eq!(
        value(&r, "extensionHeader-!.%*+_`'~"),
        Some("\u{feff}\u{5927}\u{505c}\u{96fb}")
    );
    assert_eq!(validated("intmeth"), Ok(()));
}

#[test]
fn esc01_valid_escaping() {
    let r = request("esc01");
    let user = r.uri.user().unwrap();
    assert_eq!(user, "sips%3Auser%40example.com");
    assert_eq!(unescape(user), "sips:user@example.com");
    let to: To = r.headers.require().unwrap();
    assert_eq!(unescape(to.uri.user().unwrap()), "user");
    let from: From = r.headers.require().unwrap();
    assert_eq!(unescape(from.uri.user().unwrap()), "I have spaces");
    assert_eq!(
        r.headers.require::<CallId>().unwrap().0,
        "esc01.239409asdfakjkn23onasd0-3234"
    );
    assert!(
        r.headers
            .require::<ContentType>()
            .unwrap()
            .is("application", "sdp")
    );
    let contact: Contact = r.headers.require().unwrap();
    let uri = contact.address().unwrap().uri.as_sip().unwrap().clone();
    assert_eq!(unescape(uri.user.as_deref().unwrap()), "caller");
    assert_eq!(uri.params.get("%6C%72"), Some(None));
    assert_eq!(
        unescape(uri.params.get("n%61me").flatten().unwrap()),
        "value%41"
    );
    assert_eq!(validated("esc01"), Ok(()));
}

#[test]
fn escnull_escaped_nulls() {
    let r = request("escnull");
    let to: To = r.headers.require().unwrap();
    assert_eq!(unescape(to.uri.user().unwrap()), "null-\0-null");
    let contacts = r.headers.typed_all::<Contact>().unwrap();
    let users: Vec<String> = contacts
        .iter()
        .map(|c| unescape(c.address().unwrap().uri.user().unwrap()))
        .collect();
    assert_eq!(users, vec!["\0".to_string(), "\0\0".to_string()]);
    assert_eq!(validated("escnull"), Ok(()));
}

#[test]
fn esc02_percent_that_is_not_an_escape() {
    let r = request("esc02");
    assert_eq!(r.method, Method::Other("RE%47IST%45R".into()));
    let to: To = r.headers.require().unwrap();
    assert_eq!(to.display.as_deref(), Some("%Z%45"));
    let via: Via = r.headers.require().unwrap();
    assert_eq!(via.branch().as_deref(), Some("z9hG4bK209%fzsnel234"));
    assert_eq!(r.headers.typed_all::<Contact>().unwrap().len(), 2);
    assert_eq!(
        value(&r, "C%6Fntact"),
        Some("<sip:alias2@host2.example.com>")
    );
    assert_eq!(validated("esc02"), Ok(()));
}

#[test]
fn lwsdisp_no_space_before_angle_bracket() {
    let r = request("lwsdisp");
    let from: From = r.headers.require().unwrap();
    assert_eq!(from.display.as_deref(), Some("caller"));
    assert_eq!(from.tag().as_deref(), Some("323"));
    assert_eq!(validated("lwsdisp"), Ok(()));
}

#[test]
fn longreq_long_values() {
    let r = request("longreq");
    let to: To = r.headers.require().unwrap();
    assert!(
        to.display
            .as_deref()
            .unwrap()
            .contains("extremeextremeextreme")
    );
    let vias = r.headers.typed_all::<Via>().unwrap();
    assert_eq!(vias.len(), 34);
    assert_eq!(vias[0].host, Host::Domain("sip33.example.com".into()));
    assert_eq!(vias[33].host, Host::Domain("host.example.com".into()));
    assert!(r.headers.require::<CallId>().unwrap().0.len() > 100);
    let unknown = r
        .headers
        .iter()
        .find(|h| h.name.as_str().starts_with("Unknown-LongLong"))
        .unwrap();
    assert!(unknown.value.contains("unknown-longlonglong"));
    assert_eq!(r.body.len(), 150);
    assert_eq!(validated("longreq"), Ok(()));
}

#[test]
fn dblreq_trailing_octets_are_dropped() {
    let r = request("dblreq");
    assert_eq!(r.method, Method::Register);
    assert!(r.body.is_empty());
    assert_eq!(
        r.headers.require::<CallId>().unwrap().0,
        "dblreq.0ha0isndaksdj99sdfafnl3lk233412"
    );
}

#[test]
fn semiuri_semicolons_in_user_part() {
    let r = request("semiuri");
    let uri = r.uri.as_sip().unwrap();
    assert_eq!(uri.user.as_deref(), Some("user;par=u%40example.net"));
    assert_eq!(uri.host, Host::Domain("example.com".into()));
    assert!(uri.params.0.is_empty());
    assert_eq!(r.headers.values(&HeaderName::Accept).count(), 6);
    assert_eq!(validated("semiuri"), Ok(()));
}

#[test]
fn transports_unknown_transport() {
    let r = request("transports");
    let transports: Vec<String> = r
        .headers
        .typed_all::<Via>()
        .unwrap()
        .into_iter()
        .map(|v| v.transport)
        .collect();
    assert_eq!(transports, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    assert_eq!(validated("transports"), Ok(()));
}

#[test]
fn mpart01_multipart_binary_body() {
    let r = request("mpart01");
    assert_eq!(r.method, Method::Message);
    let ct: ContentType = r.headers.require().unwrap();
    assert!(ct.is("multipart", "mixed"));
    assert_eq!(
        ct.params.value("boundary").as_deref(),
        Some("7a9cbec02ceef655")
    );
    assert_eq!(r.body.len(), 553);
    assert!(r.body.starts_with(b"--7a9cbec02ceef655\r\n"));
    assert!(r.body.ends_with(b"--7a9cbec02ceef655--\r\n"));
    let accept = ["multipart/mixed"];
    let policy = RequestPolicy {
        accept: &accept,
        ..RequestPolicy::default()
    };
    assert_eq!(validate_request(&r, &policy), Ok(()));
}

#[test]
fn unreason_utf8_reason_phrase() {
    let r = response("unreason");
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.reason, "= 2**3 * 5**2 но сто девяносто девять - простое");
    assert_eq!(r.body.len(), 154);
}

#[test]
fn noreason_empty_reason_phrase() {
    let r = response("noreason");
    assert_eq!(r.status, StatusCode::TRYING);
    assert_eq!(r.reason, "");
}

// 3.1.2 Invalid messages.

fn assert_parser_rejects(name: &str, status: u16, reason: &str) -> ParseError {
    let e = rejected(name);
    assert_eq!(e.status_code().code(), status, "{name}: {e}");
    assert_eq!(e.reason_phrase(), reason, "{name}");
    e
}

fn assert_validation_rejects(name: &str, status: u16, reason: &str) -> ParseError {
    let e = invalid(name);
    assert_eq!(e.status_code().code(), status, "{name}: {e}");
    assert_eq!(e.reason_phrase(), reason, "{name}");
    e
}

#[test]
fn badinv01_extraneous_separators_rejected_by_via_and_contact_accessors() {
    let r = request("badinv01");
    assert!(r.headers.typed_all::<Via>().is_err());
    assert!(r.headers.typed_all::<Contact>().is_err());
    assert_validation_rejects("badinv01", 400, "Malformed Via header");
}

#[test]
fn clerr_content_length_larger_than_message() {
    let e = assert_parser_rejects("clerr", 400, "Content-Length larger than message");
    assert_eq!(
        e.kind,
        ParseErrorKind::BodyTruncated {
            expected: 9999,
            got: 154
        }
    );
    let answer = e.response(None).unwrap();
    assert_eq!(
        answer.headers.get(&HeaderName::CallId),
        Some("clerr.0ha0isndaksdjweiafasdk3")
    );
}

#[test]
fn ncl_negative_content_length() {
    let e = assert_parser_rejects("ncl", 400, "Malformed Content-Length header");
    assert_eq!(e.kind, ParseErrorKind::BadContentLength("-999".into()));
}

#[test]
fn scalar02_overlarge_request_scalars() {
    let e = assert_parser_rejects("scalar02", 400, "Malformed CSeq header");
    let answer = e.response(Some("x")).unwrap();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.reason, "Malformed CSeq header");
    assert_eq!(
        answer.headers.get(&HeaderName::CSeq),
        Some("36893488147419103232 REGISTER")
    );
}

#[test]
fn scalarlg_overlarge_response_scalars_are_dropped() {
    let e = assert_parser_rejects("scalarlg", 400, "Malformed CSeq header");
    assert_eq!(e.response(None), None, "a response is never answered");
}

#[test]
fn quotbal_unterminated_quote_rejected_by_to_accessor() {
    assert!(request("quotbal").headers.require::<To>().is_err());
    assert_validation_rejects("quotbal", 400, "Malformed To header");
}

#[test]
fn ltgtruri_angle_brackets_around_request_uri() {
    assert_parser_rejects("ltgtruri", 400, "Malformed Request-URI");
}

#[test]
fn lwsruri_whitespace_inside_request_uri() {
    assert_parser_rejects("lwsruri", 400, "Malformed Request-Line");
}

#[test]
fn lwsstart_multiple_spaces_in_request_line() {
    assert_parser_rejects("lwsstart", 400, "Malformed Request-Line");
}

#[test]
fn trws_trailing_spaces_in_request_line() {
    assert_parser_rejects("trws", 400, "Malformed Request-Line");
}

#[test]
fn escruri_headers_in_request_uri() {
    let e = assert_parser_rejects("escruri", 400, "Malformed Request-URI");
    assert_eq!(
        e.kind,
        ParseErrorKind::BadRequestUri("a Request-URI must not carry headers".into())
    );
}

#[test]
fn baddate_non_gmt_date_rejected_by_date_accessor_only() {
    // RFC 4475 §3.1.2.12 discourages rejecting the request for this: the Date accessor reports it,
    // the application checks let it through.
    let r = request("baddate");
    let e = r.headers.require::<Date>().unwrap_err();
    assert_eq!(e.to_string(), "Date header is not an RFC 1123 date in GMT");
    assert_eq!(validated("baddate"), Ok(()));
}

#[test]
fn regbadct_contact_with_header_outside_brackets() {
    assert!(request("regbadct").headers.typed_all::<Contact>().is_err());
    assert_validation_rejects("regbadct", 400, "Malformed Contact header");
}

#[test]
fn badaspec_spaces_inside_addr_spec() {
    assert!(request("badaspec").headers.require::<To>().is_err());
    assert_validation_rejects("badaspec", 400, "Malformed To header");
}

#[test]
fn baddn_non_token_display_name() {
    // The file also lacks the final empty line; the end of the datagram ends the header section.
    let r = request("baddn");
    assert!(r.headers.require::<From>().is_err());
    assert!(r.headers.require::<To>().is_err());
    assert_validation_rejects("baddn", 400, "Malformed From header");
}

#[test]
fn badvers_unknown_protocol_version() {
    let e = assert_parser_rejects("badvers", 505, "Version Not Supported");
    let answer = e.response(Some("t")).unwrap();
    assert_eq!(answer.status, StatusCode::VERSION_NOT_SUPPORTED);
    assert_eq!(
        answer.headers.get(&HeaderName::Via),
        Some("SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw")
    );
}

#[test]
fn mismatch01_cseq_method_differs() {
    let e = assert_parser_rejects("mismatch01", 400, "CSeq method does not match Request-Line");
    assert_eq!(
        e.kind,
        ParseErrorKind::CSeqMethodMismatch {
            method: Method::Options,
            cseq: Method::Invite
        }
    );
}

#[test]
fn mismatch02_unknown_method_and_cseq_mismatch() {
    // RFC 4475 §3.1.2.18 allows 501 or 400; the parser answers 400.
    let e = assert_parser_rejects("mismatch02", 400, "CSeq method does not match Request-Line");
    assert_eq!(
        e.kind,
        ParseErrorKind::CSeqMethodMismatch {
            method: Method::Other("NEWMETHOD".into()),
            cseq: Method::Invite
        }
    );
}

#[test]
fn bigcode_overlarge_status_code() {
    let e = assert_parser_rejects("bigcode", 400, "Malformed Status-Line");
    assert_eq!(e.response(None), None);
}

// 3.2 Transaction layer.

#[test]
fn badbranch_magic_cookie_without_identifier() {
    let r = request("badbranch");
    let via: Via = r.headers.require().unwrap();
    assert_eq!(via.branch().as_deref(), Some("z9hG4bK"));
    let e = assert_validation_rejects("badbranch", 400, "Malformed Via header");
    assert_eq!(
        e.to_string(),
        "Via header has a branch that is only the magic cookie"
    );
}

// 3.3 Application layer.

#[test]
fn insuf_missing_required_headers() {
    let e = assert_parser_rejects("insuf", 400, "Missing To, From, Call-ID");
    let answer = e.response(Some("t")).unwrap();
    assert_eq!(answer.headers.get(&HeaderName::CSeq), Some("193942 INVITE"));
    assert_eq!(answer.headers.len(), 2);
}

#[test]
fn unkscm_unknown_request_uri_scheme() {
    let r = request("unkscm");
    assert_eq!(r.uri.scheme(), "nobodyKnowsThisScheme");
    let e = assert_validation_rejects("unkscm", 416, "Unsupported URI Scheme");
    assert_eq!(
        e.kind,
        ParseErrorKind::UnsupportedUriScheme("nobodyKnowsThisScheme".into())
    );
}

#[test]
fn novelsc_atypical_request_uri_scheme() {
    let r = request("novelsc");
    assert_eq!(
        r.uri,
        Uri::Other {
            scheme: "soap.beep".into(),
            rest: "//192.0.2.103:3002".into()
        }
    );
    assert_validation_rejects("novelsc", 416, "Unsupported URI Scheme");
}

#[test]
fn unksm2_unknown_schemes_in_header_fields_are_accepted() {
    let r = request("unksm2");
    let to: To = r.headers.require().unwrap();
    assert_eq!(to.uri.scheme(), "isbn");
    let from: From = r.headers.require().unwrap();
    assert_eq!(from.uri.to_string(), "http://www.example.com");
    let contact: Contact = r.headers.require().unwrap();
    assert_eq!(contact.address().unwrap().uri.scheme(), "name");
    assert_eq!(validated("unksm2"), Ok(()));
}

#[test]
fn bext01_unknown_require_and_proxy_require() {
    let e = assert_validation_rejects("bext01", 420, "Bad Extension");
    assert_eq!(
        e.kind,
        ParseErrorKind::BadExtension(vec![
            "nothingSupportsThis".into(),
            "nothingSupportsThisEither".into()
        ])
    );
    let answer = e.response(Some("t")).unwrap();
    assert_eq!(
        answer.headers.get(&HeaderName::Unsupported),
        Some("nothingSupportsThis, nothingSupportsThisEither")
    );
    let proxy = RequestPolicy {
        proxy: true,
        ..RequestPolicy::default()
    };
    let e = validate_request(&request("bext01"), &proxy).unwrap_err();
    assert_eq!(
        e.kind,
        ParseErrorKind::BadExtension(vec![
            "noProxiesSupportThis".into(),
            "norDoAnyProxiesSupportThis".into()
        ])
    );
}

#[test]
fn invut_unknown_content_type() {
    let e = assert_validation_rejects("invut", 415, "Unsupported Media Type");
    assert_eq!(
        e.kind,
        ParseErrorKind::UnsupportedMediaType("application/unknownformat".into())
    );
    assert_eq!(request("invut").body.len(), 40);
}

#[test]
fn regaut01_unknown_authorization_scheme_is_kept() {
    let r = request("regaut01");
    assert_eq!(
        r.headers.get(&HeaderName::Authorization),
        Some("NoOneKnowsThisScheme opaque-data=here")
    );
    assert_eq!(validated("regaut01"), Ok(()));
}

#[test]
fn multi01_multiple_values_in_single_value_fields() {
    let e = assert_parser_rejects("multi01", 400, "Multiple To headers");
    assert_eq!(e.kind, ParseErrorKind::DuplicateHeader(HeaderName::To));
}

#[test]
fn mcl01_multiple_content_length_values() {
    let e = assert_parser_rejects("mcl01", 400, "Conflicting Content-Length values");
    assert_eq!(e.kind, ParseErrorKind::ConflictingContentLength);
}

#[test]
fn bcast_broadcast_via_in_response() {
    let r = response("bcast");
    let vias = r.headers.typed_all::<Via>().unwrap();
    assert_eq!(vias[1].host, Host::Ip("255.255.255.255".parse().unwrap()));
    assert_eq!(r.body.len(), 154);
}

#[test]
fn zeromf_max_forwards_zero_is_483_for_a_proxy_only() {
    let r = request("zeromf");
    assert_eq!(r.headers.require::<MaxForwards>().unwrap(), MaxForwards(0));
    assert_eq!(validated("zeromf"), Ok(()));
    let proxy = RequestPolicy {
        proxy: true,
        ..RequestPolicy::default()
    };
    let e = validate_request(&r, &proxy).unwrap_err();
    assert_eq!(e.status_code(), StatusCode::TOO_MANY_HOPS);
}

#[test]
fn cparam01_contact_parameter_outside_brackets() {
    let r = request("cparam01");
    let contact: Contact = r.headers.require().unwrap();
    let addr = contact.address().unwrap();
    assert!(addr.uri.as_sip().unwrap().params.0.is_empty());
    assert_eq!(addr.params.get("unknownparam"), Some(None));
    assert_eq!(validated("cparam01"), Ok(()));
}

#[test]
fn cparam02_uri_parameter_inside_brackets() {
    let r = request("cparam02");
    let contact: Contact = r.headers.require().unwrap();
    let addr = contact.address().unwrap();
    assert_eq!(
        addr.uri.as_sip().unwrap().params.get("unknownparam"),
        Some(None)
    );
    assert!(addr.params.0.is_empty());
    assert_eq!(validated("cparam02"), Ok(()));
}

#[test]
fn regescrt_escaped_header_in_contact_uri() {
    let r = request("regescrt");
    let contact: Contact = r.headers.require().unwrap();
    let uri = contact.address().unwrap().uri.as_sip().unwrap().clone();
    assert_eq!(
        uri.headers,
        vec![("Route".to_string(), "%3Csip:sip.example.com%3E".to_string())]
    );
    assert_eq!(unescape(&uri.headers[0].1), "<sip:sip.example.com>");
    assert_eq!(validated("regescrt"), Ok(()));
}

#[test]
fn sdp01_unacceptable_accept_is_left_to_the_application() {
    // A UAS that can only answer with SDP may reply 406; that is a decision of the session layer.
    let r = request("sdp01");
    assert_eq!(
        r.headers.values(&HeaderName::Accept).collect::<Vec<_>>(),
        ["text/nobodyKnowsThis"]
    );
    assert_eq!(validated("sdp01"), Ok(()));
}

// 3.4 Backward compatibility.

#[test]
fn inv2543_rfc2543_syntax_is_accepted() {
    let r = request("inv2543");
    let via: Via = r.headers.require().unwrap();
    assert_eq!(via.branch(), None);
    assert!(!via.is_rfc3261_branch());
    assert_eq!(r.headers.get(&HeaderName::MaxForwards), None);
    let from: From = r.headers.require().unwrap();
    assert_eq!(from.tag(), None);
    assert_eq!(
        r.body.len(),
        105,
        "no Content-Length: the rest of the datagram"
    );
    assert_eq!(validated("inv2543"), Ok(()));
}

// Every message of the corpus, through the stream parser too.

const ALL: [&str; 49] = [
    "wsinv",
    "intmeth",
    "esc01",
    "escnull",
    "esc02",
    "lwsdisp",
    "longreq",
    "dblreq",
    "semiuri",
    "transports",
    "mpart01",
    "unreason",
    "noreason",
    "badinv01",
    "clerr",
    "ncl",
    "scalar02",
    "scalarlg",
    "quotbal",
    "ltgtruri",
    "lwsruri",
    "lwsstart",
    "trws",
    "escruri",
    "baddate",
    "regbadct",
    "badaspec",
    "baddn",
    "badvers",
    "mismatch01",
    "mismatch02",
    "bigcode",
    "badbranch",
    "insuf",
    "unkscm",
    "novelsc",
    "unksm2",
    "bext01",
    "invut",
    "regaut01",
    "multi01",
    "mcl01",
    "bcast",
    "zeromf",
    "cparam01",
    "cparam02",
    "regescrt",
    "sdp01",
    "inv2543",
];

#[test]
fn corpus_is_complete() {
    let dir = format!("{}/tests/torture", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".dat").map(str::to_string))
        .collect();
    files.sort();
    let mut expected: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(files, expected);
}

/// Messages that carry a Content-Length equal to their body read the same on a stream, whatever the
/// chunking; the others (no length, a wrong one, trailing octets) are stream errors.
#[test]
fn stream_parser_agrees_with_datagram_parser() {
    for name in ALL {
        let bytes = raw(name);
        let datagram = parse_datagram(&bytes, &Limits::default());
        for chunk in [1, 7, bytes.len()] {
            let mut stream = StreamParser::new(Limits::default());
            let mut items = Vec::new();
            for part in bytes.chunks(chunk) {
                stream.push(part);
                while let Some(item) = stream.next() {
                    items.push(item);
                }
            }
            match (&datagram, items.first()) {
                (Ok(m), Some(Ok(StreamItem::Message(s)))) => assert_eq!(m, s, "{name}"),
                (Ok(_), other) => {
                    assert!(
                        ["dblreq", "inv2543", "baddn"].contains(&name),
                        "{name}: {other:?}"
                    )
                }
                (Err(d), Some(Err(s))) => assert_eq!(d.kind, s.kind, "{name}"),
                (Err(_), None) => assert_eq!(name, "clerr", "{name} waits for more"),
                (Err(d), other) => panic!("{name}: datagram {d}, stream {other:?}"),
            }
        }
    }
}

/// A valid message written back out parses to the same message.
#[test]
fn valid_messages_round_trip() {
    for name in ALL {
        if let Ok(m) = parse_datagram(&raw(name), &Limits::default()) {
            let again = parse_datagram(&m.to_bytes(), &Limits::default()).unwrap();
            assert_eq!(again, m, "{name}");
        }
    }
}

#[test]
fn typed_headers_render_what_they_parse() {
    let r = request("wsinv");
    let to: To = r.headers.require().unwrap();
    assert_eq!(
        to.render(),
        "<sip:vivekg@chair-dnrc.example.com>;tag=1918181833n"
    );
}
