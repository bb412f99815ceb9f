//! The tokio driver of the server: the SIP transports, the CSTA XML listener and one task that owns the
//! sans-IO [`ServerCore`] and feeds it what arrives, in order, with the time.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant as TokioInstant;
use uacsta_sip::transport::{Protocol, Transport, TransportConfig, TransportEvent};

use crate::core::{CoreConfig, CoreOutput, ServerCore};
use crate::monitors::ClientId;

/// Where the server listens.
#[derive(Debug, Clone)]
pub struct Listeners {
    /// Phones (and TR/87 clients): SIP over UDP, TCP, TLS.
    pub sip: Vec<(Protocol, SocketAddr)>,
    /// CTI clients: CSTA XML over TCP (ECMA-323 Annex J.2).
    pub csta_xml: Vec<SocketAddr>,
    /// The status API (JSON over HTTP: `GET /status`).
    pub status: Option<SocketAddr>,
}

/// A started server.
pub struct RunningServer {
    /// Bound SIP listeners.
    pub sip: Vec<(Protocol, SocketAddr)>,
    /// Bound CSTA XML listeners.
    pub csta_xml: Vec<SocketAddr>,
    /// Bound status API listener.
    pub status: Option<SocketAddr>,
    task: JoinHandle<()>,
    accept_tasks: Vec<JoinHandle<()>>,
    transport: Transport,
}

impl RunningServer {
    pub fn sip_addr(&self, protocol: Protocol) -> Option<SocketAddr> {
        self.sip
            .iter()
            .find(|(p, _)| *p == protocol)
            .map(|(_, a)| *a)
    }

    /// Stops every task and closes every socket.
    pub fn shutdown(self) {
        self.task.abort();
        for t in self.accept_tasks {
            t.abort();
        }
        self.transport.shutdown();
    }
}

enum ClientMsg {
    Connected(TcpStream),
    Bytes(ClientId, Vec<u8>),
    Closed(ClientId),
    /// The status API asks for a snapshot.
    Status(tokio::sync::oneshot::Sender<serde_json::Value>),
}

/// Binds every listener and starts the server.
pub async fn start(
    config: CoreConfig,
    transport_config: TransportConfig,
    listeners: &Listeners,
) -> io::Result<RunningServer> {
    let (transport, sip_events) = Transport::bind(transport_config, &listeners.sip).await?;
    let sip: Vec<(Protocol, SocketAddr)> = transport.listeners().to_vec();
    let local: HashMap<Protocol, SocketAddr> = sip.iter().map(|(p, a)| (*p, *a)).collect();
    let (client_tx, client_rx) = mpsc::channel(1024);
    let mut csta_xml = Vec::new();
    let mut accept_tasks = Vec::new();
    for addr in &listeners.csta_xml {
        let listener = TcpListener::bind(addr).await?;
        csta_xml.push(listener.local_addr()?);
        let tx = client_tx.clone();
        accept_tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                if tx.send(ClientMsg::Connected(stream)).await.is_err() {
                    return;
                }
            }
        }));
    }
    let mut status = None;
    if let Some(addr) = listeners.status {
        let listener = TcpListener::bind(addr).await?;
        status = Some(listener.local_addr()?);
        let tx = client_tx.clone();
        accept_tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_status(stream, tx.clone()));
            }
        }));
    }
    let core = ServerCore::new(config, local, now());
    let task = tokio::spawn(drive(
        core,
        transport.clone(),
        sip_events,
        client_tx,
        client_rx,
    ));
    Ok(RunningServer {
        sip,
        csta_xml,
        status,
        task,
        accept_tasks,
        transport,
    })
}

fn now() -> std::time::Instant {
    TokioInstant::now().into_std()
}

async fn drive(
    mut core: ServerCore,
    transport: Transport,
    mut sip_events: mpsc::Receiver<TransportEvent>,
    client_tx: mpsc::Sender<ClientMsg>,
    mut client_rx: mpsc::Receiver<ClientMsg>,
) {
    let mut writers: HashMap<ClientId, mpsc::Sender<Vec<u8>>> = HashMap::new();
    loop {
        let deadline = core
            .poll_timeout()
            .map(TokioInstant::from_std)
            .unwrap_or_else(|| TokioInstant::now() + Duration::from_secs(3600));
        tokio::select! {
            event = sip_events.recv() => match event {
                Some(TransportEvent::Message(received)) => {
                    let source = uacsta_sip::transport::Target {
                        protocol: received.protocol,
                        addr: received.source,
                        connection: received.connection,
                        server_name: None,
                    };
                    core.handle_sip(received.message, source, now());
                }
                Some(TransportEvent::Malformed { error, source, protocol, connection, .. }) => {
                    let target = uacsta_sip::transport::Target {
                        protocol,
                        addr: source,
                        connection,
                        server_name: None,
                    };
                    core.handle_malformed(&error, target);
                }
                Some(TransportEvent::Closed { connection, .. }) => {
                    core.connection_closed(connection, now())
                }
                None => return,
            },
            msg = client_rx.recv() => match msg {
                Some(ClientMsg::Connected(stream)) => {
                    let id = core.client_connected();
                    let (reader, writer) = stream.into_split();
                    let (wtx, wrx) = mpsc::channel::<Vec<u8>>(256);
                    writers.insert(id, wtx);
                    tokio::spawn(write_client(writer, wrx));
                    tokio::spawn(read_client(id, reader, client_tx.clone()));
                }
                Some(ClientMsg::Bytes(id, bytes)) => core.client_bytes(id, &bytes, now()),
                Some(ClientMsg::Closed(id)) => {
                    writers.remove(&id);
                    core.client_closed(id, now());
                }
                Some(ClientMsg::Status(reply)) => {
                    let _ = reply.send(core.status());
                }
                None => return,
            },
            _ = tokio::time::sleep_until(deadline) => core.handle_timeout(now()),
        }
        while let Some(output) = core.poll_output() {
            match output {
                CoreOutput::Sip { message, target } => {
                    if let Err(e) = transport.send(&message, &target).await {
                        tracing::debug!(error = %e, addr = %target.addr, "SIP send failed");
                    }
                }
                CoreOutput::ClientBytes { client, bytes } => {
                    if let Some(w) = writers.get(&client) {
                        // A slow client makes the server wait rather than lose its events.
                        let _ = w.send(bytes).await;
                    }
                }
                CoreOutput::CloseClient(client) => {
                    writers.remove(&client);
                }
            }
        }
    }
}

async fn read_client(
    id: ClientId,
    mut reader: tokio::net::tcp::OwnedReadHalf,
    tx: mpsc::Sender<ClientMsg>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx
                    .send(ClientMsg::Bytes(id, buf[..n].to_vec()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
    let _ = tx.send(ClientMsg::Closed(id)).await;
}

async fn write_client(
    mut writer: tokio::net::tcp::OwnedWriteHalf,
    mut rx: mpsc::Receiver<Vec<u8>>,
) {
    while let Some(bytes) = rx.recv().await {
        if writer.write_all(&bytes).await.is_err() {
            return;
        }
    }
    let _ = writer.shutdown().await;
}

/// One HTTP/1.1 exchange of the status API: `GET /status` gives the core's snapshot as JSON, anything
/// else 404; the connection closes after the answer.
async fn serve_status(mut stream: TcpStream, core: mpsc::Sender<ClientMsg>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => request.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("");
    let (status, body) = if line.starts_with("GET ") && (path == "/status" || path == "/status/") {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if core.send(ClientMsg::Status(tx)).await.is_err() {
            return;
        }
        match rx.await {
            Ok(value) => (
                "200 OK",
                serde_json::to_string_pretty(&value).unwrap_or_default(),
            ),
            Err(_) => return,
        }
    } else {
        (
            "404 Not Found",
            "{\"error\": \"try GET /status\"}".to_string(),
        )
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
