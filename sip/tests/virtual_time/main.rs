//! Sans-IO SIP layers driven on virtual time: transactions, dialogs and session timers between two
//! endpoints joined by a lossy simulated network.

mod dialog;
mod msgs;
mod pair;
mod session_timer;
mod transaction;
