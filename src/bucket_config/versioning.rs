//! Bucket versioning (`?versioning`; seed 002:2288-2515, 9396; docs/versioning.md): the state,
//! the `VersioningConfiguration` document and its answer. Pure.

use crate::xml::XmlWriter;
use crate::xml::{parse_rooted, XmlError};
use serde::{Deserialize, Serialize};

/// The versioning state once set; an unversioned bucket has none, and never returns to that.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum VersioningStatus {
    Enabled,
    Suspended,
}

impl VersioningStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
        }
    }
}

#[derive(Debug, Deserialize)]
struct XmlVersioning {
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "MfaDelete", default)]
    mfa_delete: Option<String>,
}

/// Why a `VersioningConfiguration` was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum VersioningError {
    /// Not the document, no `Status`, or a status other than Enabled/Suspended: MalformedXML.
    Malformed(String),
    /// `MfaDelete` Enabled: cosd has no MFA devices (NotImplemented).
    MfaDelete,
}

/// Parses a PUT `?versioning` body.
pub fn parse(body: &[u8]) -> Result<VersioningStatus, VersioningError> {
    let doc: XmlVersioning = parse_rooted(body, "VersioningConfiguration")
        .map_err(|XmlError(e)| VersioningError::Malformed(e))?;
    match doc.mfa_delete.as_deref().map(str::trim) {
        None | Some("Disabled") => {}
        Some("Enabled") => return Err(VersioningError::MfaDelete),
        Some(other) => {
            return Err(VersioningError::Malformed(format!(
                "MfaDelete must be Enabled or Disabled, not {other:?}"
            )))
        }
    }
    match doc.status.as_deref().map(str::trim) {
        Some("Enabled") => Ok(VersioningStatus::Enabled),
        Some("Suspended") => Ok(VersioningStatus::Suspended),
        Some(other) => Err(VersioningError::Malformed(format!(
            "Status must be Enabled or Suspended, not {other:?}"
        ))),
        None => Err(VersioningError::Malformed(
            "the Status element is missing".into(),
        )),
    }
}

/// The GET `?versioning` answer (no `Status` for a bucket whose versioning was never set).
pub fn render(status: Option<VersioningStatus>) -> String {
    let mut w = XmlWriter::new();
    w.open("VersioningConfiguration");
    w.elem_opt("Status", status.map(VersioningStatus::as_str));
    w.close("VersioningConfiguration");
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioning_documents() {
        let ok = [
            ("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", VersioningStatus::Enabled),
            ("<?xml version=\"1.0\"?><VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>", VersioningStatus::Suspended),
        ];
        for (doc, want) in ok {
            assert_eq!(parse(doc.as_bytes()), Ok(want), "{doc}");
        }
        for bad in [
            "",
            "not xml",
            "<VersioningConfiguration/>",
            "<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>",
            "<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>",
            "<Versioning><Status>Enabled</Status></Versioning>",
        ] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(VersioningError::Malformed(_))),
                "{bad}"
            );
        }
        assert_eq!(
            parse(b"<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>"),
            Err(VersioningError::MfaDelete)
        );
        assert!(
            render(None).contains("<VersioningConfiguration></VersioningConfiguration>")
                || render(None).contains("<VersioningConfiguration/>")
        );
        assert!(render(Some(VersioningStatus::Enabled)).contains("<Status>Enabled</Status>"));
    }
}
