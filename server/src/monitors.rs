//! Monitor points and their fan-out (ECMA-269 §12; estos uaCSTA Server manual §4.1.1).
//!
//! However many clients monitor a device, the phone holds one monitor point for it: the first
//! MonitorStart opens it asynchronously, later ones join it, and the last MonitorStop (or the last
//! client leaving) removes it. Each client gets its own monitorCrossRefID and the phone's events are
//! rewritten to it. When the phone's CSTA dialog goes down the clients are told (OutOfService) and their
//! cross-reference ids stay valid; when it comes back the point is opened again and the clients are told
//! (BackInService).
//!
//! Sans-IO: methods return [`MonitorAction`]s for the caller to carry out.

use std::collections::{BTreeMap, HashMap};

/// A MonitorStop named a cross-reference id the client does not hold (ECMA-269
/// `invalidCrossRefID`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("monitorCrossRefID {0:?} is not one of this client's monitors")]
pub struct UnknownCrossRef(pub String);

/// A client of the server (one CTI connection or session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub u64);

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorAction {
    /// Send MonitorStart for `device` to its phone; report the outcome with
    /// [`Monitors::point_opened`] or [`Monitors::point_failed`].
    OpenPoint { device: String },
    /// Send MonitorStop with the phone's cross-reference id.
    ClosePoint { device: String, phone_xref: String },
    /// Answer the client's MonitorStart positively with its own cross-reference id.
    Started {
        client: ClientId,
        token: u64,
        xref: String,
    },
    /// Answer the client's MonitorStart negatively (the phone's error, or the dialog is down).
    StartFailed {
        client: ClientId,
        token: u64,
        error: String,
    },
    /// Tell the client its device is out of service / back in service (ECMA-269 §17.3).
    OutOfService {
        client: ClientId,
        xref: String,
        device: String,
    },
    BackInService {
        client: ClientId,
        xref: String,
        device: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PointState {
    /// MonitorStart sent to the phone, clients waiting.
    Opening,
    Open {
        phone_xref: String,
    },
    /// The phone's dialog is down; clients keep their ids.
    Lost,
    /// The dialog is back and MonitorStart was sent again; the clients hear BackInService once it
    /// opens.
    Restoring,
}

#[derive(Debug)]
struct Point {
    state: PointState,
    /// Clients watching, with their cross-reference ids.
    watchers: BTreeMap<String, ClientId>,
    /// Clients whose MonitorStart waits for the point to open: (client, token).
    waiting: Vec<(ClientId, u64)>,
}

/// Every monitor point of the server.
#[derive(Debug, Default)]
pub struct Monitors {
    points: HashMap<String, Point>,
    /// Client cross-reference id -> device.
    by_xref: HashMap<String, String>,
    /// Phone cross-reference id -> device.
    by_phone_xref: HashMap<String, String>,
    next_xref: u64,
}

impl Monitors {
    pub fn new() -> Monitors {
        Monitors::default()
    }

    /// A client's MonitorStart for `device`. `token` identifies the request for the answer.
    pub fn start(&mut self, client: ClientId, token: u64, device: &str) -> Vec<MonitorAction> {
        match self.points.get_mut(device) {
            Some(point) => match &point.state {
                PointState::Open { .. } => {
                    let xref = next_xref(&mut self.next_xref);
                    point.watchers.insert(xref.clone(), client);
                    self.by_xref.insert(xref.clone(), device.to_string());
                    vec![MonitorAction::Started {
                        client,
                        token,
                        xref,
                    }]
                }
                PointState::Opening | PointState::Restoring => {
                    point.waiting.push((client, token));
                    Vec::new()
                }
                PointState::Lost => vec![MonitorAction::StartFailed {
                    client,
                    token,
                    error: "the device is out of service".into(),
                }],
            },
            None => {
                self.points.insert(
                    device.to_string(),
                    Point {
                        state: PointState::Opening,
                        watchers: BTreeMap::new(),
                        waiting: vec![(client, token)],
                    },
                );
                vec![MonitorAction::OpenPoint {
                    device: device.to_string(),
                }]
            }
        }
    }

    /// The phone opened the point (MonitorStartResponse). Waiting clients get their ids; clients of a
    /// point that was lost are told the device is back.
    pub fn point_opened(&mut self, device: &str, phone_xref: &str) -> Vec<MonitorAction> {
        let Some(point) = self.points.get_mut(device) else {
            // Nobody wants it any more: close it again.
            return vec![MonitorAction::ClosePoint {
                device: device.to_string(),
                phone_xref: phone_xref.to_string(),
            }];
        };
        let was_lost = matches!(point.state, PointState::Lost | PointState::Restoring);
        point.state = PointState::Open {
            phone_xref: phone_xref.to_string(),
        };
        self.by_phone_xref
            .insert(phone_xref.to_string(), device.to_string());
        let mut actions = Vec::new();
        if was_lost {
            for (xref, client) in &point.watchers {
                actions.push(MonitorAction::BackInService {
                    client: *client,
                    xref: xref.clone(),
                    device: device.to_string(),
                });
            }
        }
        for (client, token) in std::mem::take(&mut point.waiting) {
            let xref = next_xref(&mut self.next_xref);
            point.watchers.insert(xref.clone(), client);
            self.by_xref.insert(xref.clone(), device.to_string());
            actions.push(MonitorAction::Started {
                client,
                token,
                xref,
            });
        }
        if point.watchers.is_empty() {
            let phone_xref = phone_xref.to_string();
            self.remove_point(device);
            actions.push(MonitorAction::ClosePoint {
                device: device.to_string(),
                phone_xref,
            });
        }
        actions
    }

    /// The phone refused to open the point: the waiting clients get the error.
    pub fn point_failed(&mut self, device: &str, error: &str) -> Vec<MonitorAction> {
        let Some(point) = self.points.get_mut(device) else {
            return Vec::new();
        };
        if point.state == PointState::Restoring {
            point.state = PointState::Lost;
        }
        let actions = std::mem::take(&mut point.waiting)
            .into_iter()
            .map(|(client, token)| MonitorAction::StartFailed {
                client,
                token,
                error: error.to_string(),
            })
            .collect();
        if point.watchers.is_empty() {
            self.remove_point(device);
        }
        actions
    }

    /// A client's MonitorStop.
    pub fn stop(
        &mut self,
        client: ClientId,
        xref: &str,
    ) -> Result<Vec<MonitorAction>, UnknownCrossRef> {
        let unknown = || UnknownCrossRef(xref.to_string());
        let device = self.by_xref.get(xref).cloned().ok_or_else(unknown)?;
        let point = self.points.get_mut(&device).ok_or_else(unknown)?;
        if point.watchers.get(xref) != Some(&client) {
            return Err(unknown());
        }
        point.watchers.remove(xref);
        self.by_xref.remove(xref);
        Ok(self.close_if_unwatched(&device))
    }

    /// A client went away (TR/87 BYE, ECMA-354 StopApplicationSession, connection closed).
    pub fn client_gone(&mut self, client: ClientId) -> Vec<MonitorAction> {
        let mut devices = Vec::new();
        for (device, point) in self.points.iter_mut() {
            point.waiting.retain(|(c, _)| *c != client);
            let before = point.watchers.len();
            point.watchers.retain(|xref, c| {
                let keep = *c != client;
                if !keep {
                    self.by_xref.remove(xref);
                }
                keep
            });
            if point.watchers.len() != before {
                devices.push(device.clone());
            }
        }
        devices.sort();
        devices
            .iter()
            .flat_map(|d| self.close_if_unwatched(d))
            .collect()
    }

    /// The phone's CSTA dialog went down: its points are lost, the clients told.
    pub fn phone_down<'a>(
        &mut self,
        devices: impl IntoIterator<Item = &'a str>,
    ) -> Vec<MonitorAction> {
        let mut actions = Vec::new();
        for device in devices {
            let Some(point) = self.points.get_mut(device) else {
                continue;
            };
            if let PointState::Open { phone_xref } = &point.state {
                self.by_phone_xref.remove(phone_xref);
            }
            point.state = PointState::Lost;
            for (client, token) in std::mem::take(&mut point.waiting) {
                actions.push(MonitorAction::StartFailed {
                    client,
                    token,
                    error: "the device went out of service".into(),
                });
            }
            for (xref, client) in &point.watchers {
                actions.push(MonitorAction::OutOfService {
                    client: *client,
                    xref: xref.clone(),
                    device: device.to_string(),
                });
            }
            if point.watchers.is_empty() {
                self.remove_point(device);
            }
        }
        actions
    }

    /// The phone's CSTA dialog is back: every lost point of its devices is opened again.
    pub fn phone_up<'a>(
        &mut self,
        devices: impl IntoIterator<Item = &'a str>,
    ) -> Vec<MonitorAction> {
        let mut actions = Vec::new();
        for device in devices {
            if let Some(point) = self.points.get_mut(device)
                && point.state == PointState::Lost
            {
                point.state = PointState::Restoring;
                actions.push(MonitorAction::OpenPoint {
                    device: device.to_string(),
                });
            }
        }
        actions
    }

    /// Who gets an event the phone sent with its cross-reference id: (client, client's id).
    pub fn fan_out(&self, phone_xref: &str) -> Vec<(ClientId, String)> {
        let Some(device) = self.by_phone_xref.get(phone_xref) else {
            return Vec::new();
        };
        self.points
            .get(device)
            .map(|p| p.watchers.iter().map(|(x, c)| (*c, x.clone())).collect())
            .unwrap_or_default()
    }

    /// The device a client's cross-reference id monitors.
    pub fn device_of(&self, xref: &str) -> Option<&str> {
        self.by_xref.get(xref).map(String::as_str)
    }

    /// The phone's cross-reference id of an open point.
    pub fn phone_xref(&self, device: &str) -> Option<&str> {
        match &self.points.get(device)?.state {
            PointState::Open { phone_xref } => Some(phone_xref),
            _ => None,
        }
    }

    /// Monitor points in the phones (open ones).
    pub fn open_points(&self) -> usize {
        self.points
            .values()
            .filter(|p| matches!(p.state, PointState::Open { .. }))
            .count()
    }

    /// Client monitors.
    pub fn client_monitors(&self) -> usize {
        self.by_xref.len()
    }

    fn close_if_unwatched(&mut self, device: &str) -> Vec<MonitorAction> {
        let Some(point) = self.points.get(device) else {
            return Vec::new();
        };
        if !point.watchers.is_empty() || !point.waiting.is_empty() {
            return Vec::new();
        }
        let state = point.state.clone();
        self.remove_point(device);
        match state {
            PointState::Open { phone_xref } => vec![MonitorAction::ClosePoint {
                device: device.to_string(),
                phone_xref,
            }],
            _ => Vec::new(),
        }
    }

    fn remove_point(&mut self, device: &str) {
        if let Some(point) = self.points.remove(device)
            && let PointState::Open { phone_xref } = point.state
        {
            self.by_phone_xref.remove(&phone_xref);
        }
    }
}

fn next_xref(counter: &mut u64) -> String {
    *counter += 1;
    counter.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ClientId = ClientId(1);
    const B: ClientId = ClientId(2);
    const DEV: &str = "sip:181@10.0.0.5";

    #[test]
    fn one_point_for_many_clients_each_with_its_own_id() {
        let mut m = Monitors::new();
        assert_eq!(
            m.start(A, 10, DEV),
            vec![MonitorAction::OpenPoint { device: DEV.into() }]
        );
        assert_eq!(m.start(B, 20, DEV), vec![], "B waits for the same point");
        let started = m.point_opened(DEV, "43");
        assert_eq!(
            started,
            vec![
                MonitorAction::Started {
                    client: A,
                    token: 10,
                    xref: "1".into()
                },
                MonitorAction::Started {
                    client: B,
                    token: 20,
                    xref: "2".into()
                },
            ]
        );
        assert_eq!(m.open_points(), 1);
        assert_eq!(m.fan_out("43"), vec![(A, "1".into()), (B, "2".into())]);
        // A third client joins an open point at once.
        let c = ClientId(3);
        assert_eq!(
            m.start(c, 30, DEV),
            vec![MonitorAction::Started {
                client: c,
                token: 30,
                xref: "3".into()
            }]
        );
        assert_eq!(m.fan_out("43").len(), 3);
        assert!(m.fan_out("44").is_empty());
    }

    #[test]
    fn the_last_stop_removes_the_point() {
        let mut m = Monitors::new();
        m.start(A, 1, DEV);
        m.start(B, 2, DEV);
        m.point_opened(DEV, "43");
        assert_eq!(
            m.stop(B, "1"),
            Err(UnknownCrossRef("1".into())),
            "not B's id"
        );
        assert_eq!(m.stop(A, "1"), Ok(vec![]));
        assert_eq!(
            m.stop(B, "2"),
            Ok(vec![MonitorAction::ClosePoint {
                device: DEV.into(),
                phone_xref: "43".into()
            }])
        );
        assert_eq!(m.open_points(), 0);
        assert!(m.stop(B, "2").is_err());
    }

    #[test]
    fn a_client_leaving_releases_its_monitors() {
        let mut m = Monitors::new();
        m.start(A, 1, DEV);
        m.point_opened(DEV, "43");
        m.start(A, 2, "sip:182@10.0.0.5");
        assert_eq!(
            m.client_gone(A),
            vec![MonitorAction::ClosePoint {
                device: DEV.into(),
                phone_xref: "43".into()
            }]
        );
        assert_eq!(m.client_monitors(), 0);
        // The point still opening for 182 is closed when it opens, as nobody waits any more.
        assert_eq!(
            m.point_opened("sip:182@10.0.0.5", "50"),
            vec![MonitorAction::ClosePoint {
                device: "sip:182@10.0.0.5".into(),
                phone_xref: "50".into()
            }]
        );
    }

    #[test]
    fn out_of_service_and_back_keep_the_clients_ids() {
        let mut m = Monitors::new();
        m.start(A, 1, DEV);
        m.start(B, 2, DEV);
        m.point_opened(DEV, "43");
        assert_eq!(
            m.phone_down([DEV]),
            vec![
                MonitorAction::OutOfService {
                    client: A,
                    xref: "1".into(),
                    device: DEV.into()
                },
                MonitorAction::OutOfService {
                    client: B,
                    xref: "2".into(),
                    device: DEV.into()
                },
            ]
        );
        assert!(m.fan_out("43").is_empty(), "the old point is gone");
        assert!(matches!(
            m.start(ClientId(9), 3, DEV)[..],
            [MonitorAction::StartFailed { .. }]
        ));
        assert_eq!(
            m.phone_up([DEV]),
            vec![MonitorAction::OpenPoint { device: DEV.into() }]
        );
        assert_eq!(
            m.point_opened(DEV, "77"),
            vec![
                MonitorAction::BackInService {
                    client: A,
                    xref: "1".into(),
                    device: DEV.into()
                },
                MonitorAction::BackInService {
                    client: B,
                    xref: "2".into(),
                    device: DEV.into()
                },
            ]
        );
        assert_eq!(m.fan_out("77"), vec![(A, "1".into()), (B, "2".into())]);
    }

    #[test]
    fn a_refused_point_fails_every_waiting_client() {
        let mut m = Monitors::new();
        m.start(A, 1, DEV);
        m.start(B, 2, DEV);
        let failed = m.point_failed(DEV, "invalidMonitorObject");
        assert_eq!(failed.len(), 2);
        assert!(failed.iter().all(|a| matches!(a, MonitorAction::StartFailed { error, .. } if error == "invalidMonitorObject")));
        assert_eq!(
            m.start(A, 3, DEV),
            vec![MonitorAction::OpenPoint { device: DEV.into() }],
            "a fresh try"
        );
    }
}
