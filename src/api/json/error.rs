//! `JsonError`: the JSON API's error, a numeric code from the seed's tables (003:956-1196,
//! 3120-3472) with its HTTP status, rendered as `{code, message, request_id}`.

use crate::api::error::{ApiError, Code};
use crate::auth::legacy::LegacyAuthError;
use crate::service::ServiceError;
use http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub code: i32,
    pub status: StatusCode,
    pub message: String,
    /// Sent as `data` (`-4019` carries the unfinished session).
    pub data: Option<serde_json::Value>,
}

pub type JsonResult<T> = Result<T, JsonError>;

macro_rules! codes {
    ($($name:ident = $code:literal, $status:ident, $msg:literal;)*) => {
        impl JsonError {
            $(
                #[allow(non_snake_case)]
                pub fn $name() -> JsonError {
                    JsonError {
                        code: $code,
                        status: StatusCode::$status,
                        message: $msg.to_string(),
                        data: None,
                    }
                }
            )*
        }
    };
}

codes! {
    access_denied = -55, FORBIDDEN, "ERROR_PROXY_AUTH_NO_PERMISSION: the signer may not do this";
    no_bucket = -133, NOT_FOUND, "ERROR_CMD_BUCKET_NOTEXIST: the bucket does not exist";
    no_parent = -166, NOT_FOUND, "ERROR_CMD_COS_INDEX_ERROR: the parent directory does not exist";
    not_found = -197, NOT_FOUND, "ERROR_CMD_FILE_NOTEXIST: the file or directory does not exist";
    file_path_slash = -160, BAD_REQUEST, "ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH: a file path must not end with /";
    dir_path_slash = -161, BAD_REQUEST, "ERROR_CMD_PARAM_PATH_DIR_MISSING_SLASH: a directory path must end with /";
    dir_not_empty = -173, CONFLICT, "ERROR_CMD_COS_DIR_NOT_EMPTY: the directory is not empty";
    file_exists = -177, CONFLICT, "ERROR_CMD_COS_FILE_EXIST: the file already exists";
    dir_exists = -178, CONFLICT, "ERROR_CMD_COS_PATH_CONFLICT: the directory already exists";
    root_path = -180, BAD_REQUEST, "ERROR_CMD_COS_INVALID_PATH: the root directory cannot be deleted or replaced";
    size_mismatch = -175, BAD_REQUEST, "ERROR_CMD_COS_FILE_SIZE_NOT_EQU: filesize differs from the upload";
    too_large = -285, PAYLOAD_TOO_LARGE, "ERROR_PROCESS_FILE_TOO_LARGE: a simple upload may carry at most 20 MB; use a slice upload";
    bad_slice_size = -284, BAD_REQUEST, "ERROR_PROCESS_WRONG_SLICE_SIZE: slice_size must be 64 KiB to 1 MiB, or a multiple of 1 MiB up to 3 MiB";
    sha_mismatch = -4016, CONFLICT, "ErrNotSameSHA: sha does not match the content";
    unfinished = -4019, CONFLICT, "_ERROR_FILE_NOT_FINISH_UPLOAD";
    biz_attr_too_long = -5947, BAD_REQUEST, "ERROR_CGI_BIZ_ATTR_TOO_LONG: biz_attr may be at most 4096 bytes";
    bad_num = -5966, BAD_REQUEST, "ERROR_CGI_PARAM_LIST_NUM: num must be a number from 1 to 1000";
    no_filesize = -5971, BAD_REQUEST, "ERROR_CGI_PARAM_MISSING_FILESIZE: upload_slice_init needs filesize";
    bad_json = -5975, BAD_REQUEST, "ERROR_CGI_JSON_PARSE_ERROR: the JSON body or parameter does not parse";
    no_op = -5980, BAD_REQUEST, "ERROR_CGI_PARAM_MISSING_OP: op is missing";
    unknown_op = -5964, BAD_REQUEST, "ERROR_CGI_PARAM_OP: there is no such op";
    bad_form = -5993, BAD_REQUEST, "ERROR_CGI_FORM_ERR: the multipart/form-data body is malformed";
    no_filecontent = -5990, BAD_REQUEST, "ERROR_CGI_MISSING_FILECONTENT: filecontent is missing";
    bad_method = -5996, METHOD_NOT_ALLOWED, "ERROR_CGI_REQ_METHOD: the JSON API takes GET and POST";
    bad_url = -5994, BAD_REQUEST, "ERROR_CGI_URL_NOTMATCH: the path is not /files/v2/<appid>/<bucket>/<path>";
    slice_offset = -29095, BAD_REQUEST, "offset must be a multiple of slice_size";
    bad_session = -29096, BAD_REQUEST, "the session does not exist or belongs to another file";
    finish_no_filesize = -29104, BAD_REQUEST, "upload_slice_finish needs filesize";
    file_too_big = -29105, BAD_REQUEST, "a file may be at most 64 GB";
    sha_without_parts = -29133, BAD_REQUEST, "sha needs uploadparts";
    bad_uploadparts = -29134, BAD_REQUEST, "uploadparts does not cover filesize in slices of slice_size";
    slice_not_declared = -29136, BAD_REQUEST, "the slice's offset or length does not match the session";
    slice_sha = -29138, BAD_REQUEST, "the slice's content does not match its datasha";
    missing_slices = -29144, BAD_REQUEST, "slices are missing";
    internal = -195, INTERNAL_SERVER_ERROR, "ERROR_CMD_COS_ERROR: internal error";
}

impl JsonError {
    /// `-5999`: a parameter is missing or malformed.
    pub fn param(detail: impl std::fmt::Display) -> JsonError {
        JsonError {
            code: -5999,
            status: StatusCode::BAD_REQUEST,
            message: format!("ERROR_CGI_PARAM: {detail}"),
            data: None,
        }
    }

    pub fn with_data(mut self, data: serde_json::Value) -> JsonError {
        self.data = Some(data);
        self
    }

    /// The same error with a more specific explanation appended.
    pub fn detail(mut self, detail: impl std::fmt::Display) -> JsonError {
        self.message = format!("{} ({detail})", self.message);
        self
    }
}

impl From<LegacyAuthError> for JsonError {
    fn from(e: LegacyAuthError) -> Self {
        JsonError {
            code: e.code(),
            status: StatusCode::FORBIDDEN,
            message: e.to_string(),
            data: None,
        }
    }
}

impl From<ServiceError> for JsonError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NoSuchBucket => JsonError::no_bucket(),
            ServiceError::NoSuchKey => JsonError::not_found(),
            ServiceError::ObjectExists | ServiceError::PreconditionFailed => {
                JsonError::file_exists()
            }
            ServiceError::NoSuchUpload => JsonError::bad_session(),
            ServiceError::IncompleteBody(_) | ServiceError::Body(_) => JsonError::bad_form(),
            ServiceError::EntityTooLarge => JsonError::file_too_big(),
            ServiceError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                JsonError::internal()
            }
            other => JsonError::param(other),
        }
    }
}

impl From<ApiError> for JsonError {
    fn from(e: ApiError) -> Self {
        match e.code {
            Code::AccessDenied => JsonError::access_denied(),
            Code::NoSuchBucket => JsonError::no_bucket(),
            Code::NoSuchKey => JsonError::not_found(),
            Code::InternalError => JsonError::internal(),
            _ => JsonError::param(e.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        let table = [
            (JsonError::access_denied(), -55, 403),
            (JsonError::no_bucket(), -133, 404),
            (JsonError::not_found(), -197, 404),
            (JsonError::file_exists(), -177, 409),
            (JsonError::dir_exists(), -178, 409),
            (JsonError::dir_not_empty(), -173, 409),
            (JsonError::size_mismatch(), -175, 400),
            (JsonError::bad_slice_size(), -284, 400),
            (JsonError::sha_mismatch(), -4016, 409),
            (JsonError::unfinished(), -4019, 409),
            (JsonError::too_large(), -285, 413),
            (JsonError::param("x"), -5999, 400),
            (JsonError::from(LegacyAuthError::Replayed), -77, 403),
            (JsonError::from(ServiceError::ObjectExists), -177, 409),
        ];
        for (e, code, status) in table {
            assert_eq!((e.code, e.status.as_u16()), (code, status), "{}", e.message);
        }
        assert_eq!(
            JsonError::unfinished().message,
            "_ERROR_FILE_NOT_FINISH_UPLOAD"
        );
    }
}
