//! `/files/v2/<appid>/<bucket>/<path>` -> what the request addresses. Pure.

use super::error;
use crate::api::error::ApiResult;

/// The prefix every JSON API path starts with.
pub const PREFIX: &str = "/files/v2/";

/// A JSON API resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    pub appid: String,
    /// The short bucket name, as signatures carry it.
    pub bucket: String,
    /// From the bucket root, starting with `/`; directories end with `/`.
    pub path: String,
}

impl JsonPath {
    /// Parses a decoded request path that starts with [`PREFIX`].
    pub fn parse(decoded: &str) -> ApiResult<JsonPath> {
        let rest = decoded.strip_prefix(PREFIX).ok_or_else(error::bad_url)?;
        let (appid, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let (bucket, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let ok_appid =
            !appid.is_empty() && appid.len() <= 20 && appid.bytes().all(|b| b.is_ascii_digit());
        let ok_bucket = !bucket.is_empty()
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_appid || !ok_bucket {
            return Err(error::bad_url());
        }
        if path.contains("//") || path.split('/').any(|seg| seg == "." || seg == "..") {
            return Err(error::bad_url().detail("empty, . and .. path segments are not allowed"));
        }
        Ok(JsonPath {
            appid: appid.to_string(),
            bucket: bucket.to_string(),
            path: path.to_string(),
        })
    }

    /// The bucket's name in the XML API: `<bucket>-<appid>`.
    pub fn full_bucket(&self) -> String {
        format!("{}-{}", self.bucket, self.appid)
    }

    /// The object key: the path without its leading `/` ("" for the root).
    pub fn key(&self) -> &str {
        &self.path[1..]
    }

    pub fn is_dir(&self) -> bool {
        self.path.ends_with('/')
    }

    pub fn is_root(&self) -> bool {
        self.path == "/"
    }

    /// The key of the directory holding this file or directory ("" for the root).
    pub fn parent_key(&self) -> &str {
        parent_of(self.key())
    }

    /// The name within its directory (directories keep their trailing `/`).
    pub fn name(&self) -> &str {
        let key = self.key();
        &key[self.parent_key().len()..]
    }

    /// `f` as it names this resource (decoded): `/<appid>/<bucket><path>`.
    pub fn fileid(&self) -> String {
        format!("/{}/{}{}", self.appid, self.bucket, self.path)
    }

    pub fn require_file(&self) -> ApiResult<()> {
        if self.is_dir() {
            return Err(error::file_path_slash());
        }
        Ok(())
    }

    pub fn require_dir(&self) -> ApiResult<()> {
        if !self.is_dir() {
            return Err(error::dir_path_slash());
        }
        Ok(())
    }
}

/// The directory key above `key` ("" for top-level entries).
pub fn parent_of(key: &str) -> &str {
    let trimmed = key.strip_suffix('/').unwrap_or(key);
    match trimmed.rfind('/') {
        Some(i) => &key[..=i],
        None => "",
    }
}

/// The key a copy or move goes to: `dest_fileid` absolute from the bucket root (`/x/y`, or the
/// full `/<appid>/<bucket>/x/y` fileid form) or relative to the source's directory.
pub fn dest_key(src: &JsonPath, dest: &str) -> ApiResult<String> {
    let dest = dest.trim();
    let fileid_prefix = format!("/{}/{}/", src.appid, src.bucket);
    let key = if let Some(rest) = dest.strip_prefix(&fileid_prefix) {
        rest.to_string()
    } else if let Some(rest) = dest.strip_prefix('/') {
        rest.to_string()
    } else {
        format!("{}{dest}", src.parent_key())
    };
    if key.is_empty()
        || key.ends_with('/')
        || key.contains("//")
        || key.split('/').any(|seg| seg == "." || seg == "..")
    {
        return Err(error::param(format!(
            "dest_fileid {dest:?} does not name a file"
        )));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let p = JsonPath::parse("/files/v2/1250000000/mybucket/dir/a b.txt").unwrap();
        assert_eq!(p.full_bucket(), "mybucket-1250000000");
        assert_eq!(p.key(), "dir/a b.txt");
        assert_eq!((p.parent_key(), p.name()), ("dir/", "a b.txt"));
        assert_eq!(p.fileid(), "/1250000000/mybucket/dir/a b.txt");
        assert!(!p.is_dir() && p.require_file().is_ok());
        assert_eq!(p.require_dir().unwrap_err().code, -161);

        let d = JsonPath::parse("/files/v2/1250000000/mybucket/dir/sub/").unwrap();
        assert_eq!(
            (d.key(), d.parent_key(), d.name()),
            ("dir/sub/", "dir/", "sub/")
        );
        assert_eq!(d.require_file().unwrap_err().code, -160);

        for root in [
            "/files/v2/1250000000/mybucket/",
            "/files/v2/1250000000/mybucket",
        ] {
            let r = JsonPath::parse(root).unwrap();
            assert!(r.is_root() && r.is_dir());
            assert_eq!((r.key(), r.parent_key()), ("", ""));
        }
        let top = JsonPath::parse("/files/v2/1/b/x.txt").unwrap();
        assert_eq!((top.parent_key(), top.name()), ("", "x.txt"));
    }

    #[test]
    fn bad_paths() {
        for bad in [
            "/files/v2/",
            "/files/v2/abc/b/",
            "/files/v2/1250000000//x",
            "/files/v2/1250000000/Upper/x",
            "/files/v2/1250000000/b/a//c",
            "/files/v2/1250000000/b/../c",
            "/files/v3/1/b/",
        ] {
            assert_eq!(JsonPath::parse(bad).unwrap_err().code, -5994, "{bad}");
        }
    }

    #[test]
    fn destinations() {
        let src = JsonPath::parse("/files/v2/1/b/dir/a.txt").unwrap();
        assert_eq!(dest_key(&src, "b.txt").unwrap(), "dir/b.txt");
        assert_eq!(dest_key(&src, "sub/b.txt").unwrap(), "dir/sub/b.txt");
        assert_eq!(dest_key(&src, "/other/b.txt").unwrap(), "other/b.txt");
        assert_eq!(dest_key(&src, "/1/b/x/y.txt").unwrap(), "x/y.txt");
        for bad in ["", "/", "dir/", "/a//b", "../x"] {
            assert!(dest_key(&src, bad).is_err(), "{bad}");
        }
    }
}
