//! Dialogs: RFC 3261 §12, with the INVITE-specific rules of §13.2.2.4 (ACK for a 2xx), §13.3.1.4 (2xx
//! retransmission by the UAS core) and §15 (BYE), and UPDATE target refresh (RFC 3311 §5).
//!
//! A [`Dialog`] is the state both user agents keep for one peer-to-peer relationship: its id (Call-ID,
//! local tag, remote tag, §12), the route set and remote target (§12.1.1, §12.1.2), the local and remote
//! CSeq (§12.2.1.1, §12.2.2) and the secure flag. It builds in-dialog requests (loose or strict routing)
//! and the ACK for a 2xx, and digests in-dialog requests and responses. It owns no transaction: the
//! caller passes requests and responses through a [`crate::transaction::TransactionLayer`] and shows
//! them to the dialog. Branches for new requests come from the caller, with the Via they go in.

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::header::{
    CSeq, CallId, Contact, From, HeaderError, NameAddr, RecordRoute, Route, To, Via,
};
use crate::message::{HeaderName, Method, Request, Response, StatusCode};
use crate::transaction::TimerConfig;
use crate::uri::Uri;

/// Which side created the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Uac,
    Uas,
}

/// Dialog states (§12: early after a provisional with a To tag, confirmed after a 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    Early,
    Confirmed,
    Terminated,
}

/// The dialog id of §12: Call-ID, local tag, remote tag (an RFC 2543 peer may send no tag: empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

impl DialogId {
    /// The dialog an incoming request claims (§12.2.2): the To tag is ours, the From tag the peer's.
    /// `None` when the request has no To tag, i.e. is outside any dialog.
    pub fn for_incoming_request(request: &Request) -> Result<Option<DialogId>, DialogError> {
        let Some(local_tag) = request.headers.require::<To>()?.tag() else {
            return Ok(None);
        };
        Ok(Some(DialogId {
            call_id: request.headers.require::<CallId>()?.0,
            local_tag,
            remote_tag: request.headers.require::<From>()?.tag().unwrap_or_default(),
        }))
    }

    /// The dialog a response to our request belongs to (§12.1.2): the From tag is ours, the To tag the
    /// peer's. `None` when the response has no To tag.
    pub fn for_response(response: &Response) -> Result<Option<DialogId>, DialogError> {
        let Some(remote_tag) = response.headers.require::<To>()?.tag() else {
            return Ok(None);
        };
        Ok(Some(DialogId {
            call_id: response.headers.require::<CallId>()?.0,
            local_tag: response
                .headers
                .require::<From>()?
                .tag()
                .unwrap_or_default(),
            remote_tag,
        }))
    }
}

/// Why a dialog could not be created or refused a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DialogError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("a {0} response creates no dialog")]
    NoDialog(StatusCode),
    #[error("the response has no To tag")]
    MissingToTag,
    #[error("the {0} has no Contact to use as remote target")]
    MissingContact(&'static str),
    #[error("CSeq {got} is lower than the last one, {last} (RFC 3261 §12.2.2)")]
    CSeqOutOfOrder { got: u32, last: u32 },
    #[error("the message belongs to another dialog")]
    WrongDialog,
    #[error("the dialog is terminated")]
    Terminated,
}

impl DialogError {
    /// The status to answer an in-dialog request refused with this error: 500 for an old CSeq
    /// (§12.2.2), 481 for a request of no live dialog, 400 for a malformed one.
    pub fn status(&self) -> StatusCode {
        match self {
            DialogError::CSeqOutOfOrder { .. } => StatusCode::SERVER_INTERNAL_ERROR,
            DialogError::WrongDialog | DialogError::Terminated => StatusCode::CALL_DOES_NOT_EXIST,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Whether requests of `method` refresh the remote target (§12.2, RFC 3311 §5.1, RFC 6665, RFC 3515).
pub fn is_target_refresh(method: &Method) -> bool {
    matches!(
        method,
        Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
    )
}

/// The answer to a request that carries a To tag but matches no dialog (§12.2.2): 481, or nothing for
/// an ACK.
pub fn call_does_not_exist(request: &Request) -> Option<Response> {
    (request.method != Method::Ack)
        .then(|| Response::to_request(request, StatusCode::CALL_DOES_NOT_EXIST, None))
}

fn contact_uri(headers: &crate::message::Headers) -> Result<Option<Uri>, DialogError> {
    Ok(match headers.typed::<Contact>().transpose()? {
        Some(Contact::Address(a)) => Some(a.uri),
        _ => None,
    })
}

/// One dialog, from either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    id: DialogId,
    role: Role,
    state: DialogState,
    local_seq: Option<u32>,
    remote_seq: Option<u32>,
    /// Local URI and tag, as From of our requests.
    local: NameAddr,
    /// Remote URI and tag, as To of our requests.
    remote: NameAddr,
    /// Our Contact, put in target refresh requests.
    local_target: Uri,
    remote_target: Uri,
    route_set: Vec<NameAddr>,
    secure: bool,
}

impl Dialog {
    /// The UAC's dialog from a response to its dialog-creating request (§12.1.2): early for a 101–199
    /// with a To tag, confirmed for a 2xx. The route set is the Record-Route of the response reversed;
    /// the remote target its Contact (a provisional without Contact keeps the Request-URI).
    pub fn uac(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let status = response.status;
        let state = match status.code() {
            101..=199 => DialogState::Early,
            200..=299 => DialogState::Confirmed,
            _ => return Err(DialogError::NoDialog(status)),
        };
        let remote = response.headers.require::<To>()?.0;
        let remote_tag = remote.tag().ok_or(DialogError::MissingToTag)?;
        let local = request.headers.require::<From>()?.0;
        let remote_target = match contact_uri(&response.headers)? {
            Some(uri) => uri,
            None if state == DialogState::Early => request.uri.clone(),
            None => return Err(DialogError::MissingContact("2xx response")),
        };
        let mut route_set: Vec<NameAddr> = response
            .headers
            .typed_all::<RecordRoute>()?
            .into_iter()
            .map(|r| r.0)
            .collect();
        route_set.reverse();
        Ok(Dialog {
            id: DialogId {
                call_id: request.headers.require::<CallId>()?.0,
                local_tag: local.tag().unwrap_or_default(),
                remote_tag,
            },
            role: Role::Uac,
            state,
            local_seq: Some(request.headers.require::<CSeq>()?.seq),
            remote_seq: None,
            local_target: contact_uri(&request.headers)?.unwrap_or_else(|| local.uri.clone()),
            secure: request.uri.scheme() == "sips",
            local,
            remote,
            remote_target,
            route_set,
        })
    }

    /// The UAS's dialog when it sends a response with a To tag to a dialog-creating request (§12.1.1):
    /// early for a 101–199, confirmed for a 2xx. The route set is the request's Record-Route in order;
    /// the remote target the request's Contact.
    pub fn uas(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let status = response.status;
        let state = match status.code() {
            101..=199 => DialogState::Early,
            200..=299 => DialogState::Confirmed,
            _ => return Err(DialogError::NoDialog(status)),
        };
        let local = response.headers.require::<To>()?.0;
        let local_tag = local.tag().ok_or(DialogError::MissingToTag)?;
        let remote = request.headers.require::<From>()?.0;
        let remote_target =
            contact_uri(&request.headers)?.ok_or(DialogError::MissingContact("request"))?;
        let route_set = request
            .headers
            .typed_all::<RecordRoute>()?
            .into_iter()
            .map(|r| r.0)
            .collect();
        Ok(Dialog {
            id: DialogId {
                call_id: request.headers.require::<CallId>()?.0,
                local_tag,
                remote_tag: remote.tag().unwrap_or_default(),
            },
            role: Role::Uas,
            state,
            local_seq: None,
            remote_seq: Some(request.headers.require::<CSeq>()?.seq),
            local_target: contact_uri(&response.headers)?.unwrap_or_else(|| request.uri.clone()),
            secure: request.uri.scheme() == "sips",
            local,
            remote,
            remote_target,
            route_set,
        })
    }

    pub fn id(&self) -> &DialogId {
        &self.id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn state(&self) -> DialogState {
        self.state
    }

    pub fn local_seq(&self) -> Option<u32> {
        self.local_seq
    }

    pub fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    pub fn remote_target(&self) -> &Uri {
        &self.remote_target
    }

    pub fn route_set(&self) -> &[NameAddr] {
        &self.route_set
    }

    /// Whether the dialog was created by a sips Request-URI (§12.1.1, §12.1.2).
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Changes our Contact (sent in the next target refresh request).
    pub fn set_local_target(&mut self, target: Uri) {
        self.local_target = target;
    }

    /// Ends the dialog: a BYE was sent or received, or a request timed out (§12.3, §15).
    pub fn terminate(&mut self) {
        self.state = DialogState::Terminated;
    }

    /// Request-URI and Route headers by §12.2.1.1: loose routing puts the remote target in the
    /// Request-URI and the route set in Route; a strict first hop (no `lr`) takes the Request-URI and
    /// the remote target goes last in Route.
    fn address(&self, request: &mut Request) {
        match self.route_set.first() {
            Some(first) if !first.uri.as_sip().is_some_and(|s| s.params.contains("lr")) => {
                let mut uri = first.uri.clone();
                if let Some(sip) = uri.as_sip_mut() {
                    // §19.1.1: method is not allowed in a Request-URI.
                    sip.params.remove("method");
                    sip.headers.clear();
                }
                request.uri = uri;
                for route in &self.route_set[1..] {
                    request.headers.push_typed(&Route(route.clone()));
                }
                request
                    .headers
                    .push_typed(&Route(NameAddr::new(self.remote_target.clone())));
            }
            _ => {
                request.uri = self.remote_target.clone();
                for route in &self.route_set {
                    request.headers.push_typed(&Route(route.clone()));
                }
            }
        }
    }

    fn base_request(&self, method: Method, seq: u32, via: &Via) -> Request {
        let mut request = Request::new(method.clone(), self.remote_target.clone());
        request.headers.push_typed(via);
        request.headers.push(HeaderName::MaxForwards, "70");
        self.address(&mut request);
        request.headers.push_typed(&From(self.local.clone()));
        request.headers.push_typed(&To(self.remote.clone()));
        request.headers.push_typed(&CallId(self.id.call_id.clone()));
        request.headers.push_typed(&CSeq { seq, method });
        request
    }

    /// A new in-dialog request (§12.2.1.1): the local CSeq goes up by one (a UAS's first request uses 1),
    /// except for ACK and CANCEL; target refresh requests carry our Contact. `via` carries the caller's
    /// new branch. The ACK for a 2xx to an earlier INVITE is [`Self::create_ack`]; a CANCEL is best
    /// built by [`crate::transaction::TransactionLayer::cancel`], which copies the INVITE's branch.
    pub fn create_request(&mut self, method: Method, via: &Via) -> Request {
        let seq = match (&method, self.local_seq) {
            // §12.2.1.1: ACK and CANCEL reuse the number of the request they belong to.
            (Method::Ack | Method::Cancel, Some(seq)) => seq,
            (_, last) => {
                let seq = last.map_or(1, |s| s.wrapping_add(1) & 0x7fff_ffff);
                self.local_seq = Some(seq);
                seq
            }
        };
        let refresh = is_target_refresh(&method);
        let mut request = self.base_request(method, seq, via);
        if refresh {
            request
                .headers
                .push_typed(&Contact::Address(NameAddr::new(self.local_target.clone())));
        }
        request
    }

    /// The ACK for a 2xx to the INVITE with CSeq number `invite_seq` (§13.2.2.4): built like an
    /// in-dialog request but with the INVITE's CSeq number and a new branch (in `via`); it does not
    /// consume a CSeq number.
    pub fn create_ack(&self, invite_seq: u32, via: &Via) -> Request {
        self.base_request(Method::Ack, invite_seq, via)
    }

    /// Digests a request the peer sent in this dialog (§12.2.2). An error means the request must be
    /// refused with [`DialogError::status`]; the dialog is unchanged then. A target refresh takes its
    /// Contact as the new remote target; BYE terminates the dialog.
    pub fn handle_request(&mut self, request: &Request) -> Result<(), DialogError> {
        if DialogId::for_incoming_request(request)?.as_ref() != Some(&self.id) {
            return Err(DialogError::WrongDialog);
        }
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        if matches!(request.method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        let seq = request.headers.require::<CSeq>()?.seq;
        if let Some(last) = self.remote_seq
            && seq < last
        {
            return Err(DialogError::CSeqOutOfOrder { got: seq, last });
        }
        let target = if is_target_refresh(&request.method) {
            contact_uri(&request.headers)?
        } else {
            None
        };
        self.remote_seq = Some(seq);
        if let Some(target) = target {
            self.remote_target = target;
        }
        if request.method == Method::Bye {
            self.state = DialogState::Terminated;
        }
        Ok(())
    }

    /// Digests a response to a request this side sent in the dialog (§12.2.1.2, §13.2.2.4): a 2xx to
    /// the INVITE confirms an early dialog and recomputes its route set; a 2xx to a target refresh
    /// takes its Contact as remote target; 481 and 408 end the dialog, as does any final response to BYE
    /// and a failure of the INVITE that created an early dialog.
    pub fn handle_response(&mut self, response: &Response) -> Result<(), DialogError> {
        if DialogId::for_response(response)?.as_ref() != Some(&self.id) {
            return Err(DialogError::WrongDialog);
        }
        let method = response.headers.require::<CSeq>()?.method;
        let status = response.status;
        if status == StatusCode::CALL_DOES_NOT_EXIST || status == StatusCode::REQUEST_TIMEOUT {
            self.state = DialogState::Terminated;
            return Ok(());
        }
        if method == Method::Bye && status.is_final() {
            self.state = DialogState::Terminated;
            return Ok(());
        }
        if !status.is_success() {
            if self.state == DialogState::Early && method == Method::Invite && status.is_final() {
                self.state = DialogState::Terminated;
            }
            return Ok(());
        }
        if self.state == DialogState::Early && method == Method::Invite {
            let mut route_set: Vec<NameAddr> = response
                .headers
                .typed_all::<RecordRoute>()?
                .into_iter()
                .map(|r| r.0)
                .collect();
            route_set.reverse();
            self.route_set = route_set;
            self.state = DialogState::Confirmed;
        }
        if is_target_refresh(&method)
            && let Some(target) = contact_uri(&response.headers)?
        {
            self.remote_target = target;
        }
        Ok(())
    }

    /// The UAS sent a final response to the INVITE that created its early dialog: a 2xx confirms it,
    /// anything else ends it (§12.1.1, §13.3.1).
    pub fn invite_answered(&mut self, response: &Response) {
        if self.state == DialogState::Early && response.status.is_final() {
            self.state = if response.status.is_success() {
                DialogState::Confirmed
            } else {
                DialogState::Terminated
            };
        }
    }
}

/// What a [`SuccessRetransmission`] asks of its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetransmitAction {
    /// Pass this 2xx to the transport again (through the INVITE server transaction while it is
    /// Accepted, statelessly after).
    Resend(Response),
    /// 64*T1 passed without an ACK: the session should be ended with a BYE (§13.3.1.4).
    GiveUp,
}

/// The UAS core's retransmission of a 2xx to an INVITE until the ACK arrives (§13.3.1.4): intervals
/// start at T1 and double up to T2; after 64*T1 it gives up.
#[derive(Debug, Clone)]
pub struct SuccessRetransmission {
    response: Response,
    next: Option<Instant>,
    interval: Duration,
    t2: Duration,
    give_up: Option<Instant>,
}

impl SuccessRetransmission {
    /// Starts at `now`, when the 2xx was first sent.
    pub fn new(response: Response, config: &TimerConfig, now: Instant) -> SuccessRetransmission {
        SuccessRetransmission {
            response,
            next: Some(now + config.t1),
            interval: config.t1,
            t2: config.t2,
            give_up: Some(now + config.t1x64()),
        }
    }

    /// The ACK arrived: stop.
    pub fn ack_received(&mut self) {
        self.next = None;
        self.give_up = None;
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.next, self.give_up) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> Option<RetransmitAction> {
        if self.give_up.is_some_and(|g| g <= now) {
            self.ack_received();
            return Some(RetransmitAction::GiveUp);
        }
        match self.next {
            Some(at) if at <= now => {
                self.interval = (self.interval * 2).min(self.t2);
                self.next = Some(at + self.interval);
                Some(RetransmitAction::Resend(self.response.clone()))
            }
            _ => None,
        }
    }
}
