//! Property tests of the codec: what the serializer writes, the parsers read back unchanged, as one
//! datagram or as a stream cut anywhere and interleaved with RFC 5626 keep-alives.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bytes::Bytes;
use proptest::prelude::*;
use uacsta_sip::header::{CSeq, NameAddr, Via};
use uacsta_sip::uri::{Param, SipUri, TelUri};
use uacsta_sip::{
    HeaderName, Headers, Host, Limits, Message, Method, Params, Request, Response, StatusCode,
    StreamItem, StreamParser, TypedHeader, Uri, parse_datagram,
};

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Invite),
        Just(Method::Ack),
        Just(Method::Bye),
        Just(Method::Cancel),
        Just(Method::Register),
        Just(Method::Options),
        Just(Method::Info),
        Just(Method::Refer),
        Just(Method::Notify),
        "[A-Z][A-Za-z0-9!%*_+`'~.-]{0,12}".prop_map(|t| Method::from_token(&t)),
    ]
}

fn host() -> BoxedStrategy<Host> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{0,6}){0,3}".prop_map(Host::Domain),
        any::<[u8; 4]>().prop_map(|o| Host::Ip(IpAddr::V4(Ipv4Addr::from(o)))),
        any::<[u16; 8]>().prop_map(|s| Host::Ip(IpAddr::V6(Ipv6Addr::from(s)))),
    ]
    .boxed()
}

fn params() -> impl Strategy<Value = Params> {
    prop::collection::vec(
        (
            "[a-z][a-z0-9-]{0,7}",
            prop::option::of("[A-Za-z0-9.!~*_+-]{1,10}"),
        ),
        0..4,
    )
    .prop_map(|ps| {
        Params(
            ps.into_iter()
                .map(|(name, value)| Param { name, value })
                .collect(),
        )
    })
}

fn uri() -> BoxedStrategy<Uri> {
    let sip = (
        any::<bool>(),
        // No '?': a user part with one is read back only when what precedes it is no host name
        // (see uri::parse_sip).
        prop::option::of("[a-zA-Z0-9_.!~*'()&=+$,;/-]{1,12}"),
        host(),
        prop::option::of(any::<u16>()),
        params(),
    )
        .prop_map(|(secure, user, host, port, params)| {
            Uri::Sip(SipUri {
                secure,
                user,
                password: None,
                host,
                port,
                params,
                headers: Vec::new(),
            })
        });
    let tel = ("\\+?[0-9]{3,12}", params())
        .prop_map(|(number, params)| Uri::Tel(TelUri { number, params }));
    prop_oneof![4 => sip, 1 => tel].boxed()
}

fn name_addr(tag: bool) -> BoxedStrategy<NameAddr> {
    (
        prop::option::of("[A-Za-z0-9 \"\\\\,;<>@]{0,16}"),
        uri(),
        if tag {
            "[a-z0-9]{4,10}".prop_map(Some).boxed()
        } else {
            Just(None).boxed()
        },
    )
        .prop_map(|(display, uri, tag)| {
            let mut addr = NameAddr::new(uri);
            addr.display = display;
            match tag {
                Some(t) => addr.with_tag(&t),
                None => addr,
            }
        })
        .boxed()
}

fn via() -> BoxedStrategy<String> {
    (
        prop_oneof![Just("UDP"), Just("TCP"), Just("TLS"), Just("WS")],
        host(),
        prop::option::of(1u16..),
        "[A-Za-z0-9.-]{1,16}",
        any::<bool>(),
    )
        .prop_map(|(transport, host, port, branch, rport)| {
            let mut via = Via::new(transport, host, port, &format!("z9hG4bK{branch}"));
            if rport {
                via.params.set("rport", None);
            }
            via.render()
        })
        .boxed()
}

/// Header values as a peer may send them: no CR or LF, no leading or trailing SP or HT.
fn header_value() -> impl Strategy<Value = String> {
    "\\PC{0,30}".prop_map(|v| v.trim_matches([' ', '\t']).to_string())
}

fn extra_headers() -> BoxedStrategy<Vec<(HeaderName, String)>> {
    prop::collection::vec(
        prop_oneof![
            ("X-[A-Za-z0-9-]{1,10}", header_value()).prop_map(|(n, v)| (HeaderName::parse(&n), v)),
            header_value().prop_map(|v| (HeaderName::Subject, v)),
            "[a-z]{3,8}".prop_map(|t| (HeaderName::Supported, t)),
            (0u32..100).prop_map(|n| (HeaderName::MaxForwards, n.to_string())),
            name_addr(false).prop_map(|a| (HeaderName::Contact, a.to_string())),
        ],
        0..6,
    )
    .boxed()
}

fn body() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..300),
        "[ -~\r\n]{0,200}".prop_map(String::into_bytes),
    ]
    .prop_map(Bytes::from)
}

/// The headers every message carries, in an order that varies, then the others.
fn common_headers(cseq_method: Method) -> BoxedStrategy<Headers> {
    (
        prop::collection::vec(via(), 1..4),
        name_addr(true),
        name_addr(false),
        "[a-zA-Z0-9.-]{1,20}(@[a-z.]{1,10})?",
        0u32..(1 << 31),
        extra_headers(),
        any::<bool>(),
    )
        .prop_map(move |(vias, from, to, call_id, seq, extra, vias_last)| {
            let mut h = Headers::new();
            if !vias_last {
                for v in &vias {
                    h.push(HeaderName::Via, v.clone());
                }
            }
            h.push(HeaderName::From, from.to_string());
            h.push(HeaderName::To, to.to_string());
            h.push(HeaderName::CallId, call_id);
            h.push_typed(&CSeq {
                seq,
                method: cseq_method.clone(),
            });
            if vias_last {
                for v in &vias {
                    h.push(HeaderName::Via, v.clone());
                }
            }
            for (name, value) in extra {
                h.push(name, value);
            }
            h
        })
        .boxed()
}

fn request() -> BoxedStrategy<Message> {
    method()
        .prop_flat_map(|m| {
            (uri(), common_headers(m.clone()), body()).prop_map(move |(uri, headers, body)| {
                Message::Request(Request {
                    method: m.clone(),
                    uri,
                    headers,
                    body,
                })
            })
        })
        .boxed()
}

fn response() -> BoxedStrategy<Message> {
    (
        100u16..=699,
        "[^\r\n]{0,30}",
        method().prop_flat_map(common_headers),
        body(),
    )
        .prop_map(|(code, reason, headers, body)| {
            Message::Response(Response {
                status: StatusCode::new(code).unwrap_or(StatusCode::OK),
                reason,
                headers,
                body,
            })
        })
        .boxed()
}

fn message() -> BoxedStrategy<Message> {
    prop_oneof![request(), response()].boxed()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum KeepAlive {
    None,
    Ping,
    Pong,
}

fn keep_alive() -> impl Strategy<Value = KeepAlive> {
    prop_oneof![
        2 => Just(KeepAlive::None),
        1 => Just(KeepAlive::Ping),
        1 => Just(KeepAlive::Pong),
    ]
}

proptest! {
    #[test]
    fn datagram_round_trip(m in message()) {
        let bytes = m.to_bytes();
        let parsed = parse_datagram(&bytes, &Limits::default());
        prop_assert_eq!(parsed, Ok(m));
    }

    #[test]
    fn write_to_appends_the_same_bytes(m in message()) {
        let mut out = b"prefix".to_vec();
        m.write_to(&mut out);
        prop_assert_eq!(&out[6..], &m.to_bytes()[..]);
    }

    #[test]
    fn stream_round_trip_with_any_chunking(
        batch in prop::collection::vec((keep_alive(), message()), 1..5),
        cuts in prop::collection::vec(0.0f64..1.0, 0..12),
    ) {
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        for (ka, m) in &batch {
            match ka {
                KeepAlive::Ping => {
                    wire.extend_from_slice(b"\r\n\r\n");
                    expected.push(StreamItem::Ping);
                }
                KeepAlive::Pong => {
                    wire.extend_from_slice(b"\r\n");
                    expected.push(StreamItem::Pong);
                }
                KeepAlive::None => {}
            }
            m.write_to(&mut wire);
            expected.push(StreamItem::Message(m.clone()));
        }
        let mut points: Vec<usize> = cuts.iter().map(|c| (c * wire.len() as f64) as usize).collect();
        points.push(wire.len());
        points.sort_unstable();
        let mut parser = StreamParser::new(Limits { max_message_size: 1 << 20, max_headers: 256 });
        let mut items = Vec::new();
        let mut from = 0;
        for to in points {
            parser.push(&wire[from..to]);
            from = to;
            while let Some(item) = parser.next() {
                prop_assert!(item.is_ok(), "{:?}", item);
                items.extend(item.ok());
            }
        }
        prop_assert_eq!(items, expected);
        prop_assert_eq!(parser.buffered(), 0);
    }
}
