//! Authorization: the CAM policy language (`cam`), ACLs (`acl`), the condition keys of a request
//! (`keys`) and the decision that combines them (`authz`). Pure and synchronous; the one piece
//! of state, a cache of parsed bucket policies, lives in `cache`.

pub mod acl;
pub mod authz;
pub mod cache;
pub mod cam;
pub mod keys;

pub use authz::{decide, Ask, Decision, Resource, Subject};
