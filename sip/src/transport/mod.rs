//! Tokio transports for SIP: UDP, TCP and TLS over IPv4 and IPv6 (RFC 3261 §18).
//!
//! A [`Transport`] owns the listening sockets and every stream connection, and delivers what arrives as
//! [`TransportEvent`]s on one bounded channel. It is deliberately thin: framing is the sans-IO
//! [`StreamParser`], and choosing where to send (§18.2.2, RFC 3263) belongs to the caller.
//!
//! - Received requests get `received` and `rport` stamped on their top Via (§18.2.1, RFC 3581 §4).
//! - Stream connections are reused by remote address, whichever side opened them; a request whose top Via
//!   carries `alias` (RFC 5923 §5) also makes its sent-by address an alias of the connection.
//! - Limits: message size (in the parser), number of connections (beyond it accepts are refused and
//!   connects fail), idle timeout per connection, and bounded queues. A slow consumer of events slows the
//!   reading of sockets (TCP flow control pushes back on the peer); a slow peer makes `send` wait: nothing
//!   is dropped silently.
//! - A malformed message is reported as [`TransportEvent::Malformed`] with what could be read of it, so the
//!   caller can answer 400; a stream that carried one is closed, since its framing is lost.

pub mod tls;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::header::Via;
use crate::message::{HeaderName, Message, TypedHeader};
use crate::parse::{Limits, ParseError, StreamItem, StreamParser, parse_datagram};

/// The transport protocols of RFC 3261 §18 this crate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Udp,
    Tcp,
    Tls,
}

impl Protocol {
    /// The Via transport token.
    pub fn via_token(self) -> &'static str {
        match self {
            Protocol::Udp => "UDP",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
        }
    }

    pub fn is_reliable(self) -> bool {
        self != Protocol::Udp
    }

    /// Reads a Via transport token or a `transport=` URI parameter.
    pub fn from_token(token: &str) -> Option<Protocol> {
        match token.to_ascii_uppercase().as_str() {
            "UDP" => Some(Protocol::Udp),
            "TCP" => Some(Protocol::Tcp),
            "TLS" => Some(Protocol::Tls),
            _ => None,
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.via_token())
    }
}

/// Identifies one stream connection for the lifetime of a [`Transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

/// Settings of a [`Transport`].
#[derive(Clone)]
pub struct TransportConfig {
    pub limits: Limits,
    pub max_connections: usize,
    pub idle_timeout: Duration,
    /// Events waiting for the consumer before reading pauses.
    pub event_queue: usize,
    /// Outgoing messages queued per connection before `send` waits.
    pub write_queue: usize,
    /// Required to listen on TLS.
    pub tls_server: Option<Arc<rustls::ServerConfig>>,
    /// Required to connect over TLS.
    pub tls_client: Option<Arc<rustls::ClientConfig>>,
}

impl Default for TransportConfig {
    fn default() -> TransportConfig {
        TransportConfig {
            limits: Limits::default(),
            max_connections: 10_000,
            idle_timeout: Duration::from_secs(15 * 60),
            event_queue: 4096,
            write_queue: 256,
            tls_server: None,
            tls_client: None,
        }
    }
}

/// What arrived.
#[derive(Debug)]
pub struct Received {
    pub message: Message,
    pub source: SocketAddr,
    pub local: SocketAddr,
    pub protocol: Protocol,
    /// The connection it came on (streams only): answer on it while it is open.
    pub connection: Option<ConnectionId>,
}

/// Everything a [`Transport`] reports.
#[derive(Debug)]
pub enum TransportEvent {
    Message(Received),
    /// Bytes that are not a valid SIP message; `error` says why and carries what could be read.
    Malformed {
        error: ParseError,
        source: SocketAddr,
        local: SocketAddr,
        protocol: Protocol,
        connection: Option<ConnectionId>,
    },
    /// A stream connection closed (by the peer, an error, the idle timeout or a framing error).
    Closed {
        connection: ConnectionId,
        peer: SocketAddr,
        protocol: Protocol,
    },
}

/// Where to send a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub protocol: Protocol,
    pub addr: SocketAddr,
    /// Use this connection if it is still open (a response goes back on the request's connection).
    pub connection: Option<ConnectionId>,
    /// TLS server name to verify; the address is used when absent.
    pub server_name: Option<String>,
}

impl Target {
    pub fn new(protocol: Protocol, addr: SocketAddr) -> Target {
        Target {
            protocol,
            addr,
            connection: None,
            server_name: None,
        }
    }
}

/// Why a send failed.
#[derive(Debug, Error)]
pub enum TransportError {
    #[error("no {0} listener of this address family to send from")]
    NoSocket(Protocol),
    #[error("connection limit of {0} reached")]
    TooManyConnections(usize),
    #[error("TLS is not configured for {0}")]
    TlsNotConfigured(&'static str),
    #[error("connecting to {addr} over {protocol} failed: {source}")]
    Connect {
        protocol: Protocol,
        addr: SocketAddr,
        source: io::Error,
    },
    #[error("connection to {0} closed before the message was written")]
    ConnectionClosed(SocketAddr),
    #[error("message of {size} bytes exceeds the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

struct Connection {
    peer: SocketAddr,
    protocol: Protocol,
    writer: mpsc::Sender<Bytes>,
    /// Tells the connection's reader to stop; the writer follows once every sender is gone.
    close: Arc<tokio::sync::Notify>,
}

#[derive(Default)]
struct Table {
    by_id: HashMap<ConnectionId, Connection>,
    by_peer: HashMap<(Protocol, SocketAddr), ConnectionId>,
}

struct Inner {
    config: TransportConfig,
    events: mpsc::Sender<TransportEvent>,
    udp: Vec<Arc<UdpSocket>>,
    listeners: Vec<(Protocol, SocketAddr)>,
    table: Mutex<Table>,
    next_id: AtomicU64,
}

/// A running set of SIP sockets. Cheap to clone; dropping every clone does not stop the background tasks
/// of open listeners, [`Transport::shutdown`] does.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Transport {
    /// Binds every listener (port 0 picks a free port) and starts receiving.
    pub async fn bind(
        config: TransportConfig,
        listen: &[(Protocol, SocketAddr)],
    ) -> io::Result<(Transport, mpsc::Receiver<TransportEvent>)> {
        let (events, rx) = mpsc::channel(config.event_queue.max(1));
        let mut udp = Vec::new();
        let mut tcp = Vec::new();
        let mut bound = Vec::new();
        for &(protocol, addr) in listen {
            match protocol {
                Protocol::Udp => {
                    let socket = UdpSocket::bind(addr).await?;
                    bound.push((protocol, socket.local_addr()?));
                    udp.push(Arc::new(socket));
                }
                Protocol::Tcp | Protocol::Tls => {
                    if protocol == Protocol::Tls && config.tls_server.is_none() {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            "a TLS listener needs a TLS server configuration",
                        ));
                    }
                    let listener = TcpListener::bind(addr).await?;
                    bound.push((protocol, listener.local_addr()?));
                    tcp.push((protocol, listener));
                }
            }
        }
        let inner = Arc::new(Inner {
            config,
            events,
            udp: udp.clone(),
            listeners: bound,
            table: Mutex::new(Table::default()),
            next_id: AtomicU64::new(1),
        });
        let transport = Transport {
            inner: inner.clone(),
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        let mut tasks = Vec::new();
        for socket in udp {
            tasks.push(tokio::spawn(udp_loop(inner.clone(), socket)));
        }
        for (protocol, listener) in tcp {
            tasks.push(tokio::spawn(accept_loop(inner.clone(), protocol, listener)));
        }
        lock(&transport.tasks).extend(tasks);
        Ok((transport, rx))
    }

    /// The bound address of the first listener of `protocol` in the family of `like` (any family when
    /// `like` is `None`).
    pub fn local_addr(&self, protocol: Protocol, like: Option<SocketAddr>) -> Option<SocketAddr> {
        self.inner
            .listeners
            .iter()
            .filter(|(p, _)| *p == protocol)
            .map(|(_, a)| *a)
            .find(|a| like.is_none_or(|l| l.is_ipv4() == a.is_ipv4()))
    }

    /// Every bound listener.
    pub fn listeners(&self) -> &[(Protocol, SocketAddr)] {
        &self.inner.listeners
    }

    /// How many stream connections are open.
    pub fn connection_count(&self) -> usize {
        lock(&self.inner.table).by_id.len()
    }

    /// The open stream connections: id, protocol and peer address.
    pub fn connections(&self) -> Vec<(ConnectionId, Protocol, SocketAddr)> {
        let table = lock(&self.inner.table);
        let mut list: Vec<_> = table
            .by_id
            .iter()
            .map(|(id, c)| (*id, c.protocol, c.peer))
            .collect();
        list.sort_by_key(|(id, _, _)| *id);
        list
    }

    /// Serializes and sends `message`. On streams it reuses an open connection to the target (the given
    /// one first), or opens one. Waits when the connection's queue is full.
    pub async fn send(&self, message: &Message, target: &Target) -> Result<(), TransportError> {
        let bytes = message.to_bytes();
        self.send_bytes(bytes, target).await
    }

    /// Sends raw bytes (a keep-alive, or a message serialized once for several targets).
    pub async fn send_bytes(&self, bytes: Bytes, target: &Target) -> Result<(), TransportError> {
        let limit = self.inner.config.limits.max_message_size;
        if bytes.len() > limit {
            return Err(TransportError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        match target.protocol {
            Protocol::Udp => {
                let socket = self
                    .inner
                    .udp
                    .iter()
                    .find(|s| {
                        s.local_addr()
                            .is_ok_and(|a| a.is_ipv4() == target.addr.is_ipv4())
                    })
                    .ok_or(TransportError::NoSocket(Protocol::Udp))?;
                socket.send_to(&bytes, target.addr).await?;
                Ok(())
            }
            Protocol::Tcp | Protocol::Tls => {
                let writer = match self.writer_for(target) {
                    Some(w) => w,
                    None => self.connect(target).await?,
                };
                writer
                    .send(bytes)
                    .await
                    .map_err(|_| TransportError::ConnectionClosed(target.addr))
            }
        }
    }

    fn writer_for(&self, target: &Target) -> Option<mpsc::Sender<Bytes>> {
        let table = lock(&self.inner.table);
        let id = target
            .connection
            .filter(|id| table.by_id.contains_key(id))
            .or_else(|| table.by_peer.get(&(target.protocol, target.addr)).copied())?;
        table
            .by_id
            .get(&id)
            .filter(|c| !c.writer.is_closed())
            .map(|c| c.writer.clone())
    }

    async fn connect(&self, target: &Target) -> Result<mpsc::Sender<Bytes>, TransportError> {
        let limit = self.inner.config.max_connections;
        if self.connection_count() >= limit {
            return Err(TransportError::TooManyConnections(limit));
        }
        let connect_err = |source| TransportError::Connect {
            protocol: target.protocol,
            addr: target.addr,
            source,
        };
        let stream = TcpStream::connect(target.addr).await.map_err(connect_err)?;
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().map_err(connect_err)?;
        match target.protocol {
            Protocol::Tls => {
                let config = self
                    .inner
                    .config
                    .tls_client
                    .clone()
                    .ok_or(TransportError::TlsNotConfigured("connecting"))?;
                let name = tls::server_name(target.server_name.as_deref(), target.addr)
                    .map_err(|e| connect_err(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
                let tls = tokio_rustls::TlsConnector::from(config)
                    .connect(name, stream)
                    .await
                    .map_err(connect_err)?;
                Ok(spawn_connection(
                    &self.inner,
                    tls,
                    Protocol::Tls,
                    target.addr,
                    local,
                ))
            }
            _ => Ok(spawn_connection(
                &self.inner,
                stream,
                Protocol::Tcp,
                target.addr,
                local,
            )),
        }
    }

    /// Closes one connection (after writing what is queued on it).
    pub fn close(&self, connection: ConnectionId) {
        let table = lock(&self.inner.table);
        if let Some(c) = table.by_id.get(&connection) {
            c.close.notify_one();
        }
    }

    /// Stops every listener and closes every connection.
    pub fn shutdown(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
        let table = lock(&self.inner.table);
        for c in table.by_id.values() {
            c.close.notify_one();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// §18.2.1 / RFC 3581: stamp the top Via of a request with where it really came from. Returns the alias
/// address when the Via asks for RFC 5923 connection reuse.
fn stamp_via(message: &mut Message, source: SocketAddr) -> Option<SocketAddr> {
    let Message::Request(request) = message else {
        return None;
    };
    let first = request.headers.values(&HeaderName::Via).next()?.to_string();
    let mut via = Via::parse(&first).ok()?;
    via.stamp_source(source);
    let alias = via.params.contains("alias").then(|| match &via.host {
        crate::uri::Host::Ip(ip) => Some(SocketAddr::new(*ip, via.port.unwrap_or(5060))),
        crate::uri::Host::Domain(_) => None,
    });
    request
        .headers
        .replace_first_value(&HeaderName::Via, via.render());
    alias.flatten()
}

async fn udp_loop(inner: Arc<Inner>, socket: Arc<UdpSocket>) {
    let local = match socket.local_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, source) = match socket.recv_from(&mut buf).await {
            Ok(r) => r,
            Err(e) => {
                // ICMP errors surface here on some systems; the socket itself is still usable.
                debug!(%local, error = %e, "udp receive error");
                continue;
            }
        };
        let data = &buf[..n];
        if data
            .iter()
            .all(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t' | 0))
        {
            continue; // keep-alive (RFC 5626 §3.5.1 STUN is not used here; CRLF pings are)
        }
        let event = match parse_datagram(data, &inner.config.limits) {
            Ok(mut message) => {
                stamp_via(&mut message, source);
                TransportEvent::Message(Received {
                    message,
                    source,
                    local,
                    protocol: Protocol::Udp,
                    connection: None,
                })
            }
            Err(error) => TransportEvent::Malformed {
                error,
                source,
                local,
                protocol: Protocol::Udp,
                connection: None,
            },
        };
        if inner.events.send(event).await.is_err() {
            return;
        }
    }
}

async fn accept_loop(inner: Arc<Inner>, protocol: Protocol, listener: TcpListener) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(r) => r,
            Err(e) => {
                warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if lock(&inner.table).by_id.len() >= inner.config.max_connections {
            warn!(%peer, limit = inner.config.max_connections, "connection refused: limit reached");
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let local = match stream.local_addr() {
            Ok(a) => a,
            Err(_) => continue,
        };
        match protocol {
            Protocol::Tls => {
                let Some(config) = inner.config.tls_server.clone() else {
                    continue;
                };
                let inner = inner.clone();
                // The handshake runs in its own task so a slow client cannot stall accepting.
                tokio::spawn(async move {
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => {
                            spawn_connection(&inner, tls, Protocol::Tls, peer, local);
                        }
                        Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
            _ => {
                spawn_connection(&inner, stream, Protocol::Tcp, peer, local);
            }
        }
    }
}

fn spawn_connection<S>(
    inner: &Arc<Inner>,
    stream: S,
    protocol: Protocol,
    peer: SocketAddr,
    local: SocketAddr,
) -> mpsc::Sender<Bytes>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let id = ConnectionId(inner.next_id.fetch_add(1, Ordering::Relaxed));
    let (writer_tx, writer_rx) = mpsc::channel::<Bytes>(inner.config.write_queue.max(1));
    let close = Arc::new(tokio::sync::Notify::new());
    {
        let mut table = lock(&inner.table);
        table.by_id.insert(
            id,
            Connection {
                peer,
                protocol,
                writer: writer_tx.clone(),
                close: close.clone(),
            },
        );
        table.by_peer.insert((protocol, peer), id);
    }
    let (reader, writer) = tokio::io::split(stream);
    let activity = Arc::new(Activity::new());
    tokio::spawn(write_loop(writer, writer_rx, activity.clone()));
    tokio::spawn(read_loop(
        inner.clone(),
        reader,
        writer_tx.clone(),
        Endpoint {
            id,
            protocol,
            peer,
            local,
        },
        activity,
        close,
    ));
    writer_tx
}

/// The last time a connection read or wrote, for the idle timeout.
struct Activity {
    base: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            base: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.base + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut queue: mpsc::Receiver<Bytes>,
    activity: Arc<Activity>,
) {
    while let Some(bytes) = queue.recv().await {
        if writer.write_all(&bytes).await.is_err() {
            break;
        }
        // Write out whatever else is queued before flushing, so bursts share a flush.
        while let Ok(more) = queue.try_recv() {
            if writer.write_all(&more).await.is_err() {
                return;
            }
        }
        if writer.flush().await.is_err() {
            break;
        }
        activity.touch();
    }
    let _ = writer.shutdown().await;
}

/// Who a connection is.
struct Endpoint {
    id: ConnectionId,
    protocol: Protocol,
    peer: SocketAddr,
    local: SocketAddr,
}

async fn read_loop<R: AsyncRead + Unpin>(
    inner: Arc<Inner>,
    mut reader: R,
    writer: mpsc::Sender<Bytes>,
    endpoint: Endpoint,
    activity: Arc<Activity>,
    close: Arc<tokio::sync::Notify>,
) {
    let Endpoint {
        id,
        protocol,
        peer,
        local,
    } = endpoint;
    let mut parser = StreamParser::new(inner.config.limits);
    let mut buf = vec![0u8; 16 * 1024];
    let idle = inner.config.idle_timeout;
    'conn: loop {
        let deadline = activity.last() + idle;
        let n = tokio::select! {
            r = reader.read(&mut buf) => match r {
                Ok(0) | Err(_) => break 'conn,
                Ok(n) => n,
            },
            _ = close.notified() => break 'conn,
            _ = tokio::time::sleep_until(deadline) => {
                if activity.last() + idle <= Instant::now() {
                    debug!(%peer, "connection idle, closing");
                    break 'conn;
                }
                continue 'conn;
            }
        };
        activity.touch();
        parser.push(&buf[..n]);
        while let Some(item) = parser.next() {
            let event = match item {
                Ok(StreamItem::Message(mut message)) => {
                    if let Some(alias) = stamp_via(&mut message, peer) {
                        lock(&inner.table).by_peer.insert((protocol, alias), id);
                    }
                    TransportEvent::Message(Received {
                        message,
                        source: peer,
                        local,
                        protocol,
                        connection: Some(id),
                    })
                }
                Ok(StreamItem::Ping) => {
                    // RFC 5626 §4.4.1: answer a double-CRLF ping with a single CRLF pong.
                    if writer.send(Bytes::from_static(b"\r\n")).await.is_err() {
                        break 'conn;
                    }
                    continue;
                }
                Ok(StreamItem::Pong) => continue,
                Err(error) => {
                    let _ = inner
                        .events
                        .send(TransportEvent::Malformed {
                            error,
                            source: peer,
                            local,
                            protocol,
                            connection: Some(id),
                        })
                        .await;
                    break 'conn;
                }
            };
            if inner.events.send(event).await.is_err() {
                break 'conn;
            }
        }
    }
    let removed = {
        let mut table = lock(&inner.table);
        table.by_peer.retain(|_, v| *v != id);
        table.by_id.remove(&id).is_some()
    };
    drop(writer);
    if removed {
        let _ = inner
            .events
            .send(TransportEvent::Closed {
                connection: id,
                peer,
                protocol,
            })
            .await;
    }
}
