//! JSON API parameters: from the query string, then a JSON, form-urlencoded or
//! multipart/form-data body (spec 06 §3). Names match without case and underscores, so
//! `fileContent`/`filecontent` and `customHeaders`/`custom_headers` are one parameter.

use super::error;
use crate::api::error::ApiResult;
use bytes::Bytes;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Params {
    map: HashMap<String, Bytes>,
}

fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Params {
    fn set(&mut self, name: &str, value: Bytes) {
        self.map.insert(norm(name), value);
    }

    /// A parameter as text; a value that is not UTF-8 is a bad parameter.
    pub fn text(&self, name: &str) -> ApiResult<Option<&str>> {
        match self.map.get(&norm(name)) {
            None => Ok(None),
            Some(v) => std::str::from_utf8(v)
                .map(Some)
                .map_err(|_| error::param(format!("{name} is not UTF-8"))),
        }
    }

    /// A parameter as text, absent when empty.
    pub fn nonempty(&self, name: &str) -> ApiResult<Option<&str>> {
        Ok(self.text(name)?.map(str::trim).filter(|s| !s.is_empty()))
    }

    /// Removes and returns a (binary) parameter.
    pub fn take(&mut self, name: &str) -> Option<Bytes> {
        self.map.remove(&norm(name))
    }

    /// An unsigned integer parameter.
    pub fn number(&self, name: &str) -> ApiResult<Option<u64>> {
        match self.nonempty(name)? {
            None => Ok(None),
            Some(s) => s
                .parse::<u64>()
                .map(Some)
                .map_err(|_| error::param(format!("{name} must be a non-negative integer"))),
        }
    }

    /// A `0`/`1` flag (also `true`/`false`).
    pub fn flag(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.nonempty(name)? {
            None => Ok(None),
            Some("1") | Some("true") => Ok(Some(true)),
            Some("0") | Some("false") => Ok(Some(false)),
            Some(_) => Err(error::param(format!("{name} must be 0 or 1"))),
        }
    }

    /// Gathers the parameters of a request: the query first, then the body's fields.
    pub async fn collect(
        query: &[(String, String)],
        content_type: Option<&str>,
        body: Bytes,
    ) -> ApiResult<Params> {
        let mut p = Params::default();
        for (k, v) in query {
            if k != "sign" {
                p.set(k, Bytes::from(v.clone().into_bytes()));
            }
        }
        if body.is_empty() {
            return Ok(p);
        }
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.starts_with("multipart/form-data") {
            p.read_multipart(content_type.unwrap_or(""), body).await?;
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            for (k, v) in form_urlencoded::parse(&body) {
                p.set(&k, Bytes::from(v.into_owned().into_bytes()));
            }
        } else if ct.starts_with("application/json") || body.trim_ascii_start().starts_with(b"{") {
            p.read_json(&body)?;
        } else {
            return Err(error::param(
                "the body must be JSON, form-urlencoded or multipart/form-data",
            ));
        }
        Ok(p)
    }

    fn read_json(&mut self, body: &[u8]) -> ApiResult<()> {
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| error::bad_json().detail(e))?;
        let serde_json::Value::Object(fields) = v else {
            return Err(error::bad_json().detail("the body must be a JSON object"));
        };
        for (k, v) in fields {
            match v {
                serde_json::Value::Null => {}
                serde_json::Value::String(s) => self.set(&k, Bytes::from(s.into_bytes())),
                other => self.set(&k, Bytes::from(other.to_string().into_bytes())),
            }
        }
        Ok(())
    }

    async fn read_multipart(&mut self, content_type: &str, body: Bytes) -> ApiResult<()> {
        let boundary =
            multer::parse_boundary(content_type).map_err(|e| error::bad_form().detail(e))?;
        let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
        let mut form = multer::Multipart::new(stream, boundary);
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_string();
                    let value = field
                        .bytes()
                        .await
                        .map_err(|e| error::bad_form().detail(e))?;
                    if !name.is_empty() {
                        self.set(&name, value);
                    }
                }
                Ok(None) => return Ok(()),
                Err(e) => return Err(error::bad_form().detail(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn query_then_json_body() {
        let q = vec![
            ("op".to_string(), "stat".to_string()),
            ("sign".to_string(), "x".to_string()),
        ];
        let body = Bytes::from_static(
            br#"{"op":"update","biz_attr":"b","custom_headers":{"x-cos-meta-a":"1"},"n":null}"#,
        );
        let p = block_on(Params::collect(&q, Some("application/json"), body)).unwrap();
        assert_eq!(p.text("op").unwrap(), Some("update"));
        assert_eq!(p.text("bizAttr").unwrap(), Some("b"));
        assert_eq!(
            p.text("customHeaders").unwrap(),
            Some(r#"{"x-cos-meta-a":"1"}"#)
        );
        assert_eq!(p.text("sign").unwrap(), None);
        assert_eq!(p.text("n").unwrap(), None);
        for bad in [&b"{"[..], b"[1]", b"{\"a\":"] {
            let e = block_on(Params::collect(
                &[],
                Some("application/json"),
                Bytes::from(bad),
            ));
            assert_eq!(e.unwrap_err().code, -5975);
        }
    }

    #[test]
    fn multipart_file_parts_as_requests_sends_them() {
        let body: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"op\"; filename=\"op\"\r\n\r\nupload\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"fileContent\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\xff\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"insertOnly\"\r\n\r\n0\r\n--XyZ--\r\n";
        let mut p = block_on(Params::collect(
            &[],
            Some("multipart/form-data; boundary=XyZ"),
            Bytes::from(body.to_vec()),
        ))
        .unwrap();
        assert_eq!(p.text("op").unwrap(), Some("upload"));
        assert_eq!(p.flag("insert_only").unwrap(), Some(false));
        assert_eq!(p.take("filecontent").unwrap().as_ref(), b"\x00\x01\xff");
        let e = block_on(Params::collect(
            &[],
            Some("multipart/form-data; boundary=XyZ"),
            Bytes::from_static(b"--XyZ\r\nbroken"),
        ));
        assert_eq!(e.unwrap_err().code, -5993);
        let e = block_on(Params::collect(
            &[],
            Some("multipart/form-data"),
            Bytes::from_static(b"x"),
        ));
        assert_eq!(e.unwrap_err().code, -5993);
    }

    #[test]
    fn typed_values() {
        let q: Vec<(String, String)> = [("num", "20"), ("to_over_write", "1"), ("x", "no")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let p = block_on(Params::collect(&q, None, Bytes::new())).unwrap();
        assert_eq!(p.number("num").unwrap(), Some(20));
        assert_eq!(p.flag("toOverWrite").unwrap(), Some(true));
        assert!(p.number("x").is_err() && p.flag("x").is_err());
        assert_eq!(p.number("absent").unwrap(), None);
    }
}
