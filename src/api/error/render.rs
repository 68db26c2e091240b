//! The one error renderer: an [`ApiError`] written as the surface the request came in on
//! answers errors, with the surface's wire code for the error's [`Code`].

use super::{ApiError, Code};
use crate::api::json::JsonCode;
use crate::api::request::authn::Dialect;
use crate::api::request::stamp::trace_id;
use crate::api::sts::error::{self as sts, StsCode};
use crate::xml::XmlWriter;
use axum::body::Body;
use http::{HeaderValue, Response, StatusCode};
use serde_json::json;
use std::borrow::Cow;

/// A response extension: the error code an error response was rendered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderedCode(pub &'static str);

/// The shapes errors are answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// COS or S3 `<Error>` XML with the code's status.
    Xml(Dialect),
    /// The JSON API: `{code, message, request_id[, data]}` with the JSON API's numeric code.
    Json,
    /// STS, in the Tencent Cloud API shape: HTTP 200 and
    /// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
    Sts,
    /// The admin API: `{code, message}` with the code's status.
    Admin,
    /// The static website endpoint: an HTML page.
    Website,
}

impl ApiError {
    /// Logs the error (internal failures at error level) and writes it as `surface` does.
    /// `resource` is what the request addressed (XML only); `head` drops the body (XML and
    /// website; the JSON, STS and admin surfaces leave a HEAD's body to hyper, as they always
    /// did).
    pub fn render(
        self,
        surface: Surface,
        request_id: &str,
        resource: &str,
        head: bool,
    ) -> Response<Body> {
        if self.code == Code::InternalError {
            tracing::error!(code = self.code.as_str(), detail = %self.message, "request failed");
        } else {
            tracing::info!(code = self.code.as_str(), detail = %self.message, "request rejected");
        }
        let mut builder = Response::builder();
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                builder = builder.header(*name, v);
            }
        }
        let code = RenderedCode(self.code.as_str());
        let mut resp = match surface {
            Surface::Xml(dialect) => self.xml(builder, dialect, request_id, resource, head),
            Surface::Json => self.json(builder, request_id),
            Surface::Sts => self.sts(builder, request_id),
            Surface::Admin => self.admin(builder),
            Surface::Website => self.website(builder, request_id, head),
        };
        // For the request's journal entry and metrics, whichever surface rendered it.
        resp.extensions_mut().insert(code);
        resp
    }

    /// The number the JSON API writes for this error.
    pub fn json_code(&self) -> i32 {
        self.code.json().number
    }

    fn xml(
        self,
        builder: http::response::Builder,
        dialect: Dialect,
        request_id: &str,
        resource: &str,
        head: bool,
    ) -> Response<Body> {
        let status = self.code.status();
        let builder = builder.status(status);
        if status == StatusCode::NOT_MODIFIED {
            // `Content-Length: 0` as COS sends it: cos-python-sdk-v5 treats a 304 as success
            // and its StreamBody refuses a response with neither length nor chunked framing.
            return builder
                .header(http::header::CONTENT_LENGTH, 0)
                .body(Body::new(ZeroLength))
                .unwrap_or_default();
        }
        if head {
            return builder.body(Body::empty()).unwrap_or_default();
        }
        let mut w = match dialect {
            Dialect::Cos => XmlWriter::new_with_decl("<?xml version='1.0' encoding='utf-8' ?>\n"),
            Dialect::S3 => XmlWriter::new_with_decl("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        };
        w.open("Error");
        w.elem("Code", self.code.as_str());
        w.elem("Message", self.message_or_code());
        w.elem("Resource", if resource.is_empty() { "/" } else { resource });
        w.elem("RequestId", request_id);
        match dialect {
            Dialect::Cos => w.elem("TraceId", &trace_id(request_id)),
            Dialect::S3 => w.elem("HostId", &trace_id(request_id)),
        };
        w.close("Error");
        let body = w.finish();
        builder
            .header("Content-Type", "application/xml")
            .header("Content-Length", body.len())
            .body(Body::from(body))
            .unwrap_or_default()
    }

    fn message_or_code(&self) -> &str {
        if self.message.is_empty() {
            self.code.as_str()
        } else {
            &self.message
        }
    }

    /// The JSON API's message for this error.
    fn json_message(&self) -> Cow<'_, str> {
        match self.code.json().text {
            JsonText::Message => Cow::Borrowed(&self.message),
            JsonText::Fixed(t) => Cow::Borrowed(t),
            JsonText::Param => format!("{}: {}", JsonCode::Param.text(), self.message).into(),
        }
    }

    fn json(self, builder: http::response::Builder, request_id: &str) -> Response<Body> {
        let JsonWire { number, status, .. } = self.code.json();
        let message = self.json_message();
        let mut v = json!({"code": number, "message": message, "request_id": request_id});
        if let Some(d) = &self.data {
            v["data"] = d.clone();
        }
        let text = v.to_string();
        let mut r = builder
            .status(status)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Content-Length", text.len())
            .body(Body::from(text))
            .unwrap_or_default();
        // A refused upload's body may be unread.
        if self.code == Code::Json(JsonCode::TooLarge) {
            r.headers_mut()
                .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
        }
        r
    }

    /// STS's code and message for this error: its own codes carry their message; others are
    /// written as STS's nearest code.
    fn sts_parts(&self) -> (&'static str, Cow<'_, str>) {
        let given = Cow::Borrowed(self.message.as_str());
        match self.code {
            Code::Sts(c) => (c.as_str(), given),
            Code::InternalError | Code::ServiceUnavailable | Code::SlowDown => {
                ("InternalError", sts::INTERNAL.into())
            }
            Code::NoSuchAccessKey | Code::InvalidAccessKeyId => {
                (StsCode::SecretIdNotFound.as_str(), sts::UNKNOWN_KEY.into())
            }
            Code::SignatureDoesNotMatch => {
                (StsCode::SignatureFailure.as_str(), sts::SIGNATURE.into())
            }
            Code::MalformedPolicy => (
                StsCode::InvalidParameterValue.as_str(),
                sts::invalid_value_text("Policy", &self.message).into(),
            ),
            Code::InvalidArgument => (StsCode::InvalidParameterValue.as_str(), given),
            Code::AccessDenied | Code::LegacyAuth(_) => {
                (StsCode::UnauthorizedOperation.as_str(), given)
            }
            Code::RequestTimeTooSkewed => (StsCode::SignatureExpire.as_str(), given),
            Code::NotImplemented | Code::MethodNotAllowed => {
                (StsCode::UnsupportedOperation.as_str(), given)
            }
            c if c.status().is_server_error() => ("InternalError", sts::INTERNAL.into()),
            _ => (StsCode::FailedOperation.as_str(), given),
        }
    }

    /// HTTP 200, as the real service answers (the Node SDK's axios would otherwise hide the
    /// body).
    fn sts(self, builder: http::response::Builder, request_id: &str) -> Response<Body> {
        let (code, message) = self.sts_parts();
        let body = json!({
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}
        });
        builder
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap_or_default()
    }

    fn admin(self, builder: http::response::Builder) -> Response<Body> {
        let body = json!({"code": self.code.as_str(), "message": self.message}).to_string();
        builder
            .status(self.code.status())
            .header("Content-Type", "application/json")
            .header("Content-Length", body.len())
            .body(Body::from(body))
            .unwrap_or_default()
    }

    /// An HTML page (a 304 has no body).
    fn website(
        self,
        builder: http::response::Builder,
        request_id: &str,
        head: bool,
    ) -> Response<Body> {
        let status = self.code.status();
        let builder = builder.status(status);
        if status == StatusCode::NOT_MODIFIED {
            return builder.body(Body::empty()).unwrap_or_default();
        }
        let title = format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error")
        );
        let html = format!(
            "<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n\
             <li>Code: {}</li>\n<li>Message: {}</li>\n<li>RequestId: {}</li>\n</ul>\n<hr/>\n\
             </body>\n</html>\n",
            self.code.as_str(),
            escape_html(self.message_or_code()),
            escape_html(request_id)
        );
        let builder = builder
            .header("Content-Type", "text/html; charset=utf-8")
            .header("Content-Length", html.len());
        let body = if head {
            Body::empty()
        } else {
            Body::from(html)
        };
        builder.body(body).unwrap_or_default()
    }
}

/// How the JSON API writes a [`Code`].
struct JsonWire {
    number: i32,
    status: StatusCode,
    text: JsonText,
}

/// The message the JSON API sends with a code.
enum JsonText {
    /// The error's own (the JSON API's codes, built with their text).
    Message,
    /// The text of the JSON API's code for it.
    Fixed(&'static str),
    /// `ERROR_CGI_PARAM: <the error's message>`.
    Param,
}

impl Code {
    /// The JSON API's own codes (and a refused signature's) carry their message; a code every
    /// surface has is written as the JSON API's code for it, with that code's text; any other
    /// as `-5999` (a parameter error) with its message.
    fn json(self) -> JsonWire {
        let wire = |number, status, text| JsonWire {
            number,
            status,
            text,
        };
        let like = |c: JsonCode| wire(c.number(), c.status(), JsonText::Fixed(c.text()));
        match self {
            Code::Json(c) => wire(c.number(), c.status(), JsonText::Message),
            Code::LegacyAuth(e) => wire(e.code(), StatusCode::FORBIDDEN, JsonText::Message),
            Code::AccessDenied => wire(
                -55,
                StatusCode::FORBIDDEN,
                JsonText::Fixed("ERROR_PROXY_AUTH_NO_PERMISSION: the signer may not do this"),
            ),
            Code::NoSuchBucket => wire(
                -133,
                StatusCode::NOT_FOUND,
                JsonText::Fixed("ERROR_CMD_BUCKET_NOTEXIST: the bucket does not exist"),
            ),
            Code::NoSuchKey => wire(
                -197,
                StatusCode::NOT_FOUND,
                JsonText::Fixed("ERROR_CMD_FILE_NOTEXIST: the file or directory does not exist"),
            ),
            // A write refused because the file exists (an overwrite or a copy's condition).
            Code::FileAlreadyExists | Code::PreconditionFailed => wire(
                -177,
                StatusCode::CONFLICT,
                JsonText::Fixed("ERROR_CMD_COS_FILE_EXIST: the file already exists"),
            ),
            Code::InternalError | Code::ServiceUnavailable => wire(
                -195,
                StatusCode::INTERNAL_SERVER_ERROR,
                JsonText::Fixed("ERROR_CMD_COS_ERROR: internal error"),
            ),
            Code::NoSuchUpload => like(JsonCode::BadSession),
            Code::IncompleteBody | Code::XAmzContentSHA256Mismatch => like(JsonCode::BadForm),
            Code::EntityTooLarge => like(JsonCode::FileTooBig),
            _ => wire(
                JsonCode::Param.number(),
                JsonCode::Param.status(),
                JsonText::Param,
            ),
        }
    }
}

/// In tests, a code equals the number the JSON API writes for it.
#[cfg(test)]
impl PartialEq<i32> for Code {
    fn eq(&self, number: &i32) -> bool {
        self.json().number == *number
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An empty body that hyper frames by the response's own `Content-Length` header. hyper drops
/// that header from a 304 (and 204) whose body it knows to be empty before sending it, but
/// keeps it when the body only says its length is 0.
struct ZeroLength;

impl http_body::Body for ZeroLength {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::json::error as json_err;
    use crate::auth::legacy::LegacyAuthError;
    use crate::iam::IamError;
    use crate::service::ServiceError;

    const RID: &str = "rid-1";
    /// `trace_id(RID)`
    const TRACE: &str = "Y29zZC1yaWQtMQ";
    const ALL: [Surface; 6] = [
        Surface::Xml(Dialect::Cos),
        Surface::Xml(Dialect::S3),
        Surface::Json,
        Surface::Sts,
        Surface::Admin,
        Surface::Website,
    ];

    /// Status, headers in order, body.
    type Answer = (u16, Vec<(String, String)>, String);

    async fn answer(e: ApiError, surface: Surface, head: bool) -> Answer {
        let r = e.render(surface, RID, "b-1250000000.cos.local/k", head);
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    fn with_length(status: u16, content_type: &str, body: &str) -> Answer {
        (
            status,
            vec![
                ("content-type".into(), content_type.into()),
                ("content-length".into(), body.len().to_string()),
            ],
            body.into(),
        )
    }

    fn xml(status: u16, dialect: Dialect, code: &str, message: &str) -> Answer {
        let body = match dialect {
            Dialect::Cos => format!(
                "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code><Message>{message}</Message><Resource>b-1250000000.cos.local/k</Resource><RequestId>{RID}</RequestId><TraceId>{TRACE}</TraceId></Error>"
            ),
            Dialect::S3 => format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><Resource>b-1250000000.cos.local/k</Resource><RequestId>{RID}</RequestId><HostId>{TRACE}</HostId></Error>"
            ),
        };
        with_length(status, "application/xml", &body)
    }

    fn json_api(status: u16, body: &str) -> Answer {
        with_length(status, "application/json; charset=utf-8", body)
    }

    fn sts_json(code: &str, message: &str) -> Answer {
        (
            200,
            vec![("content-type".into(), "application/json".into())],
            format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"{message}"}},"RequestId":"{RID}"}}}}"#
            ),
        )
    }

    fn admin(status: u16, code: &str, message: &str) -> Answer {
        with_length(
            status,
            "application/json",
            &format!(r#"{{"code":"{code}","message":"{message}"}}"#),
        )
    }

    fn page(status: u16, code: &str, message: &str) -> Answer {
        let title = format!(
            "{status} {}",
            StatusCode::from_u16(status)
                .unwrap()
                .canonical_reason()
                .unwrap()
        );
        with_length(
            status,
            "text/html; charset=utf-8",
            &format!(
                "<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n<li>Code: {code}</li>\n<li>Message: {message}</li>\n<li>RequestId: {RID}</li>\n</ul>\n<hr/>\n</body>\n</html>\n"
            ),
        )
    }

    /// Renders `e` for every surface and compares with `want` (one answer per [`ALL`]).
    async fn check(e: ApiError, want: [Answer; 6]) {
        for (surface, want) in ALL.into_iter().zip(want) {
            assert_eq!(answer(e.clone(), surface, false).await, want, "{surface:?}");
        }
    }

    #[tokio::test]
    async fn a_shared_code_on_every_surface() {
        let e = ApiError::from(ServiceError::NoSuchKey);
        let m = "the object does not exist";
        check(
            e,
            [
                xml(404, Dialect::Cos, "NoSuchKey", m),
                xml(404, Dialect::S3, "NoSuchKey", m),
                json_api(
                    404,
                    &format!(r#"{{"code":-197,"message":"ERROR_CMD_FILE_NOTEXIST: the file or directory does not exist","request_id":"{RID}"}}"#),
                ),
                sts_json("FailedOperation", m),
                admin(404, "NoSuchKey", m),
                page(404, "NoSuchKey", m),
            ],
        )
        .await;
    }

    #[tokio::test]
    async fn an_internal_failure_is_500_internal_error_everywhere() {
        let generic = "We encountered an internal error. Please try again.";
        check(
            ApiError::from(ServiceError::Internal("the disk is on fire".into())),
            [
                xml(500, Dialect::Cos, "InternalError", generic),
                xml(500, Dialect::S3, "InternalError", generic),
                json_api(
                    500,
                    &format!(r#"{{"code":-195,"message":"ERROR_CMD_COS_ERROR: internal error","request_id":"{RID}"}}"#),
                ),
                sts_json("InternalError", "An internal error occurred."),
                admin(500, "InternalError", generic),
                page(500, "InternalError", generic),
            ],
        )
        .await;
        // The admin API (root accounts only) keeps the metadata store's detail.
        let iam = ApiError::from(IamError::Poisoned);
        assert_eq!(iam.code, Code::InternalError);
        assert_eq!(
            answer(iam.clone(), Surface::Admin, false).await,
            admin(500, "InternalError", "a previous change panicked")
        );
        assert_eq!(
            answer(iam, Surface::Sts, false).await,
            sts_json("InternalError", "An internal error occurred.")
        );
    }

    #[tokio::test]
    async fn a_json_api_code_with_data_on_every_surface() {
        let e = json_err::unfinished().with_data(json!({"session": "s1"}));
        let m = "_ERROR_FILE_NOT_FINISH_UPLOAD";
        check(
            e,
            [
                xml(409, Dialect::Cos, "Unfinished", m),
                xml(409, Dialect::S3, "Unfinished", m),
                json_api(
                    409,
                    &format!(r#"{{"code":-4019,"data":{{"session":"s1"}},"message":"{m}","request_id":"{RID}"}}"#),
                ),
                sts_json("FailedOperation", m),
                admin(409, "Unfinished", m),
                page(409, "Unfinished", m),
            ],
        )
        .await;
    }

    #[tokio::test]
    async fn an_sts_code_on_every_surface() {
        let m = "The request is missing a required parameter `Name`.";
        check(
            sts::missing("Name"),
            [
                xml(400, Dialect::Cos, "MissingParameter", m),
                xml(400, Dialect::S3, "MissingParameter", m),
                json_api(
                    400,
                    &format!(
                        r#"{{"code":-5999,"message":"ERROR_CGI_PARAM: {m}","request_id":"{RID}"}}"#
                    ),
                ),
                sts_json("MissingParameter", m),
                admin(400, "MissingParameter", m),
                page(400, "MissingParameter", m),
            ],
        )
        .await;
    }

    #[tokio::test]
    async fn an_admin_code_on_every_surface() {
        let e = ApiError::from(IamError::NoSuchKey("AKID1".into()));
        let m = "the access key AKID1 does not exist";
        check(
            e,
            [
                xml(404, Dialect::Cos, "NoSuchKey", m),
                xml(404, Dialect::S3, "NoSuchKey", m),
                json_api(
                    400,
                    &format!(
                        r#"{{"code":-5999,"message":"ERROR_CGI_PARAM: {m}","request_id":"{RID}"}}"#
                    ),
                ),
                sts_json("AuthFailure.SecretIdNotFound", sts::UNKNOWN_KEY),
                admin(404, "NoSuchKey", m),
                page(404, "NoSuchKey", m),
            ],
        )
        .await;
    }

    #[tokio::test]
    async fn a_refused_legacy_signature_on_every_surface() {
        let m = "ERROR_PROXY_AUTH_REPLAY_ATTACH: once signature already used";
        check(
            ApiError::from(LegacyAuthError::Replayed),
            [
                xml(403, Dialect::Cos, "AccessDenied", m),
                xml(403, Dialect::S3, "AccessDenied", m),
                json_api(
                    403,
                    &format!(r#"{{"code":-77,"message":"{m}","request_id":"{RID}"}}"#),
                ),
                sts_json("UnauthorizedOperation", m),
                admin(403, "AccessDenied", m),
                page(403, "AccessDenied", m),
            ],
        )
        .await;
    }

    #[tokio::test]
    async fn surface_quirks() {
        // The JSON API closes the connection after refusing an upload it did not read.
        let (status, headers, _) = answer(json_err::too_large(), Surface::Json, false).await;
        assert_eq!(status, 413);
        assert!(headers.contains(&("connection".into(), "close".into())));
        let (_, headers, _) = answer(json_err::bad_form(), Surface::Json, false).await;
        assert!(!headers.iter().any(|(k, _)| k == "connection"));
        // STS's policy errors name the parameter.
        assert_eq!(
            answer(
                ApiError::from(IamError::MalformedPolicy("no statement".into())),
                Surface::Sts,
                false
            )
            .await,
            sts_json(
                "InvalidParameterValue",
                "The value of `Policy` is invalid: no statement."
            )
        );
        // A 304 has no body; in XML it says `Content-Length: 0`.
        let not_modified = ApiError::new(Code::NotModified, "").with_header("ETag", "\"e\"".into());
        assert_eq!(
            answer(not_modified.clone(), Surface::Xml(Dialect::Cos), false).await,
            (
                304,
                vec![
                    ("etag".into(), "\"e\"".into()),
                    ("content-length".into(), "0".into())
                ],
                String::new()
            )
        );
        assert_eq!(
            answer(not_modified, Surface::Website, false).await,
            (304, vec![("etag".into(), "\"e\"".into())], String::new())
        );
        // HEAD: XML sends the status alone, the website page its headers.
        let e = ApiError::from(ServiceError::NoSuchKey);
        assert_eq!(
            answer(e.clone(), Surface::Xml(Dialect::S3), true).await,
            (404, vec![], String::new())
        );
        let (status, headers, body) = answer(e, Surface::Website, true).await;
        assert_eq!((status, body.as_str()), (404, ""));
        assert_eq!(
            headers[0],
            ("content-type".into(), "text/html; charset=utf-8".into())
        );
        // An empty message is the code; the resource of the service root is `/`.
        let r = ApiError::new(Code::AccessDenied, "").render(
            Surface::Xml(Dialect::Cos),
            RID,
            "",
            false,
        );
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            body.contains("<Message>AccessDenied</Message><Resource>/</Resource>"),
            "{body}"
        );
        // The website page escapes what it quotes.
        let (_, _, body) = answer(
            ApiError::new(Code::InvalidArgument, "<b>&\""),
            Surface::Website,
            false,
        )
        .await;
        assert!(
            body.contains("<li>Message: &lt;b&gt;&amp;&quot;</li>"),
            "{body}"
        );
    }
}
