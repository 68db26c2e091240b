//! Static website hosting configuration (`?website`; seed 002 "Hosting a Static Website").

use serde::{Deserialize, Serialize};

/// The bucket's website configuration as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebsiteConfig {}
