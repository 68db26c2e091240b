//! Referer (hotlink) protection configuration (`?referer`; seed 002 "Hotlink Protection
//! Practice").

use serde::{Deserialize, Serialize};

/// The bucket's referer configuration as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefererConfig {}
