//! Request bodies: parsed with quick-xml's serde support; unknown elements and namespaces are
//! ignored, so Python (declaration), Node (none) and boto3 (xmlns) bodies all parse.

use serde::de::DeserializeOwned;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
#[error("The XML you provided was not well-formed or did not validate against our published schema: {0}")]
pub struct XmlError(pub String);

/// The local name (namespace prefix dropped) of the document's root element, or an error when
/// the text is not XML or has no element at all.
pub fn root_name(text: &str) -> Result<String, XmlError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Ok(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            Ok(Event::Eof) => return Err(XmlError("the body has no root element".into())),
            Ok(Event::Text(t)) if !t.iter().all(|b| b.is_ascii_whitespace()) => {
                return Err(XmlError("text before the root element".into()))
            }
            Ok(_) => {}
            Err(e) => return Err(XmlError(e.to_string())),
        }
    }
}

/// Fails unless the document's root element is `expected`. quick-xml's deserializer ignores
/// the root's name, so without this `<NotTagging/>` would read as an empty `<Tagging>`.
pub fn check_root(text: &str, expected: &str) -> Result<(), XmlError> {
    let found = root_name(text)?;
    if found != expected {
        return Err(XmlError(format!(
            "the root element is <{found}>, expected <{expected}>"
        )));
    }
    Ok(())
}

/// UTF-8, the right root element, then the serde DTO (whose required fields are the required
/// children).
pub fn parse_rooted<T: DeserializeOwned>(body: &[u8], root: &str) -> Result<T, XmlError> {
    let text = std::str::from_utf8(body).map_err(|e| XmlError(e.to_string()))?;
    check_root(text, root)?;
    quick_xml::de::from_str(text).map_err(|e| XmlError(e.to_string()))
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct DeleteObjectEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId", default)]
    pub version_id: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename = "Delete")]
pub struct DeleteRequest {
    #[serde(rename = "Object", default)]
    pub objects: Vec<DeleteObjectEntry>,
    #[serde(rename = "Quiet", default)]
    pub quiet: Option<String>,
}

impl DeleteRequest {
    pub fn is_quiet(&self) -> bool {
        self.quiet
            .as_deref()
            .map(|q| q.trim().eq_ignore_ascii_case("true"))
            .unwrap_or(false)
    }
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct CompletePartEntry {
    #[serde(rename = "PartNumber")]
    pub part_number: String,
    #[serde(rename = "ETag", default)]
    pub etag: String,
    #[serde(rename = "ChecksumCRC32", default)]
    pub checksum_crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", default)]
    pub checksum_crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", default)]
    pub checksum_crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1", default)]
    pub checksum_sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256", default)]
    pub checksum_sha256: Option<String>,
}

impl CompletePartEntry {
    /// Whichever `<Checksum*>` element the part carries.
    pub fn checksum(&self) -> Option<&str> {
        [
            &self.checksum_crc32,
            &self.checksum_crc32c,
            &self.checksum_crc64nvme,
            &self.checksum_sha1,
            &self.checksum_sha256,
        ]
        .into_iter()
        .find_map(|c| c.as_deref())
    }
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename = "CompleteMultipartUpload")]
pub struct CompleteRequest {
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletePartEntry>,
}

pub fn parse_complete(body: &[u8]) -> Result<CompleteRequest, XmlError> {
    parse_rooted(body, "CompleteMultipartUpload")
}

pub fn parse_delete(body: &[u8]) -> Result<DeleteRequest, XmlError> {
    parse_rooted(body, "Delete")
}

/// `AccessControlPolicy` as PUT ?acl sends it (Python adds `xsi:type`, Node omits it; the
/// grantee kind is inferred from `ID` or `URI`).
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename = "AccessControlPolicy")]
pub struct AclRequest {
    /// Required (it may be empty): a body without it does not say what the ACL is.
    #[serde(rename = "AccessControlList")]
    pub list: AclList,
}

#[derive(Debug, Deserialize, PartialEq, Default)]
pub struct AclList {
    #[serde(rename = "Grant", default)]
    pub grants: Vec<AclGrant>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct AclGrant {
    #[serde(rename = "Grantee")]
    pub grantee: AclGrantee,
    #[serde(rename = "Permission")]
    pub permission: String,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct AclGrantee {
    #[serde(rename = "ID", default)]
    pub id: Option<String>,
    #[serde(rename = "URI", default)]
    pub uri: Option<String>,
}

/// `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename = "Tagging")]
pub struct TaggingRequest {
    /// Required (it may be empty), as in S3's schema.
    #[serde(rename = "TagSet")]
    pub tag_set: TagSet,
}

#[derive(Debug, Deserialize, PartialEq, Default)]
pub struct TagSet {
    #[serde(rename = "Tag", default)]
    pub tags: Vec<TagEntry>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct TagEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value", default)]
    pub value: String,
}

pub fn parse_tagging(body: &[u8]) -> Result<TaggingRequest, XmlError> {
    parse_rooted(body, "Tagging")
}

pub fn parse_acl(body: &[u8]) -> Result<AclRequest, XmlError> {
    parse_rooted(body, "AccessControlPolicy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_bodies_from_python_and_node() {
        let py = r#"<?xml version="1.0" encoding="utf-8"?>
<AccessControlPolicy><Owner><ID>qcs::cam::uin/1:uin/1</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::uin/1:uin/2</ID></Grantee><Permission>WRITE</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        let r = parse_acl(py.as_bytes()).unwrap();
        let g = r.list.grants;
        assert_eq!(g.len(), 2);
        assert!(g[0].grantee.uri.as_deref().unwrap().ends_with("AllUsers"));
        assert_eq!(g[1].grantee.id.as_deref(), Some("qcs::cam::uin/1:uin/2"));
        let node = "<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><ID>qcs::cam::uin/1:uin/2</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
        assert_eq!(parse_acl(node.as_bytes()).unwrap().list.grants.len(), 1);
        assert!(parse_acl(b"<AccessControlPolicy><AccessControlList><Grant></Grant></AccessControlList></AccessControlPolicy>").is_err());
    }

    #[test]
    fn complete_bodies_from_each_sdk() {
        let py = "<?xml version=\"1.0\" encoding=\"utf-8\"?><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;7d793037a0760186574b0282f2f435e7&quot;</ETag></Part></CompleteMultipartUpload>";
        let c = parse_complete(py.as_bytes()).unwrap();
        assert_eq!(c.parts.len(), 2);
        assert_eq!(c.parts[1].etag, "\"7d793037a0760186574b0282f2f435e7\"");
        let boto = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><ETag>\"a\"</ETag><PartNumber>1</PartNumber><ChecksumCRC32>x</ChecksumCRC32></Part></CompleteMultipartUpload>";
        let parsed = parse_complete(boto.as_bytes()).unwrap();
        assert_eq!(parsed.parts[0].part_number, "1");
        assert_eq!(parsed.parts[0].checksum(), Some("x"));
        assert!(parse_complete(b"<CompleteMultipartUpload><Part>").is_err());
    }

    #[test]
    fn delete_bodies_from_each_sdk() {
        let py = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Object><Key>a.txt</Key></Object><Object><Key>b.txt</Key><VersionId>v1</VersionId></Object><Quiet>false</Quiet></Delete>";
        let d = parse_delete(py.as_bytes()).unwrap();
        assert_eq!(d.objects.len(), 2);
        assert_eq!(d.objects[1].version_id.as_deref(), Some("v1"));
        assert!(!d.is_quiet());
        let boto = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a &amp; b</Key></Object><Quiet>true</Quiet></Delete>";
        let d = parse_delete(boto.as_bytes()).unwrap();
        assert_eq!(d.objects[0].key, "a & b");
        assert!(d.is_quiet());
        assert!(parse_delete(b"<Delete><Object><Key>a</Key>").is_err());
        assert!(parse_delete(b"not xml").is_err());
        assert!(parse_delete(b"\xff\xfe").is_err());
    }

    #[test]
    fn every_body_needs_its_root_element_and_required_children() {
        assert!(parse_tagging(b"<NotTagging/>").is_err());
        assert!(parse_tagging(b"<NotTagging><TagSet/></NotTagging>").is_err());
        assert!(parse_tagging(b"<Tagging/>").is_err());
        assert!(parse_tagging(b"<Tagging><TagSet/></Tagging>")
            .unwrap()
            .tag_set
            .tags
            .is_empty());
        let ns = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>";
        assert_eq!(parse_tagging(ns.as_bytes()).unwrap().tag_set.tags.len(), 1);
        assert!(parse_acl(b"<a/>").is_err());
        assert!(parse_acl(b"<AccessControlPolicy/>").is_err());
        assert!(
            parse_acl(b"<AccessControlPolicy><AccessControlList/></AccessControlPolicy>").is_ok()
        );
        assert!(parse_delete(b"<Remove><Object><Key>a</Key></Object></Remove>").is_err());
        assert!(
            parse_complete(b"<Complete><Part><PartNumber>1</PartNumber></Part></Complete>")
                .is_err()
        );
        assert!(parse_complete(b"").is_err());
        assert!(check_root(
            "<?xml version=\"1.0\"?>\n<!-- c --><x:Delete xmlns:x=\"u\"/>",
            "Delete"
        )
        .is_ok());
        assert!(check_root("junk<Delete/>", "Delete").is_err());
    }
}
