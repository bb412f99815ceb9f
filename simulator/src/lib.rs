//! The uacsta virtual phone farm: SIP phones that answer a uaCSTA server exactly as the modelled
//! vendor, model and firmware would.
//!
//! - [`profile`]: the vendor profiles (`vendor-profiles/*.yaml`) that say how each phone behaves.

pub mod profile;
