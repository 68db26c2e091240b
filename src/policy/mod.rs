//! Authorization: the CAM policy language (`cam`), AWS-syntax bucket policies onto it (`aws`), ACLs (`acl`), the condition keys of a request
//! (`keys`) and the decision that combines them (`authz`). Pure and synchronous; the one piece
//! of state, a cache of parsed bucket policies, lives in `cache`.

pub mod acl;
pub mod authz;
pub mod aws;
pub mod cache;
pub mod cam;
pub mod keys;

pub use authz::{decide, Ask, Decision, Resource, Subject};
