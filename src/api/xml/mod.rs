//! Handlers of the COS XML API, one file per resource.

pub mod acl;
pub mod append;
pub mod attributes;
pub mod bucket;
pub mod copy;
pub mod cors;
pub mod delete_multi;
pub mod encryption;
pub mod lifecycle;
pub mod list;
pub mod lock;
pub mod logging;
pub mod multipart;
pub mod notification;
pub mod object;
pub mod object_tagging;
pub mod policy;
pub mod public_access;
pub mod referer;
pub mod restore;
pub mod service;
pub mod tagging;
pub mod versioning;
pub mod website;

use crate::xml::XmlWriter;

/// `<Owner><ID>…</ID><DisplayName>…</DisplayName></Owner>` for a root account.
pub(crate) fn owner(w: &mut XmlWriter, tag: &str, uin: &str) {
    let id = format!("qcs::cam::uin/{uin}:uin/{uin}");
    w.open(tag)
        .elem("ID", &id)
        .elem("DisplayName", uin)
        .close(tag);
}
