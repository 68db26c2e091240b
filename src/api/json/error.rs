//! The JSON API's own error codes, numbers from the seed's tables (003:956-1196, 3120-3472)
//! with their HTTP status and text, and constructors of [`ApiError`]s with them. The codes the
//! JSON API shares with the others (no permission -55, no bucket -133, no file -197, file
//! exists -177, internal -195) are the shared [`Code`]s; the renderer writes those, and a
//! refused signature's (`LegacyAuthError`), with the JSON API's number.

use crate::api::error::{ApiError, Code};
use http::StatusCode;

macro_rules! codes {
    ($($name:ident $ctor:ident = $code:literal, $status:ident, $msg:literal;)*) => {
        /// A code only the JSON API has.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum JsonCode {
            $($name,)*
            /// `-5999`: a parameter is missing or malformed (see [`param`]).
            Param,
        }

        impl JsonCode {
            pub fn number(self) -> i32 {
                match self {
                    $(JsonCode::$name => $code,)*
                    JsonCode::Param => -5999,
                }
            }

            pub fn status(self) -> StatusCode {
                match self {
                    $(JsonCode::$name => StatusCode::$status,)*
                    JsonCode::Param => StatusCode::BAD_REQUEST,
                }
            }

            /// The message the JSON API sends with it.
            pub fn text(self) -> &'static str {
                match self {
                    $(JsonCode::$name => $msg,)*
                    JsonCode::Param => "ERROR_CGI_PARAM",
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(JsonCode::$name => stringify!($name),)*
                    JsonCode::Param => "Param",
                }
            }
        }

        $(
            pub fn $ctor() -> ApiError {
                JsonCode::$name.into()
            }
        )*
    };
}

codes! {
    NoParent no_parent = -166, NOT_FOUND, "ERROR_CMD_COS_INDEX_ERROR: the parent directory does not exist";
    FilePathSlash file_path_slash = -160, BAD_REQUEST, "ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH: a file path must not end with /";
    DirPathSlash dir_path_slash = -161, BAD_REQUEST, "ERROR_CMD_PARAM_PATH_DIR_MISSING_SLASH: a directory path must end with /";
    DirNotEmpty dir_not_empty = -173, CONFLICT, "ERROR_CMD_COS_DIR_NOT_EMPTY: the directory is not empty";
    Versioned versioned = -46659, CONFLICT, "the bucket has versioning enabled and the JSON API cannot be used on it; use the XML API";
    DirExists dir_exists = -178, CONFLICT, "ERROR_CMD_COS_PATH_CONFLICT: the directory already exists";
    RootPath root_path = -180, BAD_REQUEST, "ERROR_CMD_COS_INVALID_PATH: the root directory cannot be deleted or replaced";
    SizeMismatch size_mismatch = -175, BAD_REQUEST, "ERROR_CMD_COS_FILE_SIZE_NOT_EQU: filesize differs from the upload";
    TooLarge too_large = -285, PAYLOAD_TOO_LARGE, "ERROR_PROCESS_FILE_TOO_LARGE: a simple upload may carry at most 20 MB; use a slice upload";
    BadSliceSize bad_slice_size = -284, BAD_REQUEST, "ERROR_PROCESS_WRONG_SLICE_SIZE: slice_size must be 64 KiB to 1 MiB, or a multiple of 1 MiB up to 3 MiB";
    ShaMismatch sha_mismatch = -4016, CONFLICT, "ErrNotSameSHA: sha does not match the content";
    Unfinished unfinished = -4019, CONFLICT, "_ERROR_FILE_NOT_FINISH_UPLOAD";
    BizAttrTooLong biz_attr_too_long = -5947, BAD_REQUEST, "ERROR_CGI_BIZ_ATTR_TOO_LONG: biz_attr may be at most 4096 bytes";
    BadNum bad_num = -5966, BAD_REQUEST, "ERROR_CGI_PARAM_LIST_NUM: num must be a number from 1 to 1000";
    NoFilesize no_filesize = -5971, BAD_REQUEST, "ERROR_CGI_PARAM_MISSING_FILESIZE: upload_slice_init needs filesize";
    BadJson bad_json = -5975, BAD_REQUEST, "ERROR_CGI_JSON_PARSE_ERROR: the JSON body or parameter does not parse";
    NoOp no_op = -5980, BAD_REQUEST, "ERROR_CGI_PARAM_MISSING_OP: op is missing";
    UnknownOp unknown_op = -5964, BAD_REQUEST, "ERROR_CGI_PARAM_OP: there is no such op";
    BadForm bad_form = -5993, BAD_REQUEST, "ERROR_CGI_FORM_ERR: the multipart/form-data body is malformed";
    NoFilecontent no_filecontent = -5990, BAD_REQUEST, "ERROR_CGI_MISSING_FILECONTENT: filecontent is missing";
    BadMethod bad_method = -5996, METHOD_NOT_ALLOWED, "ERROR_CGI_REQ_METHOD: the JSON API takes GET and POST";
    BadUrl bad_url = -5994, BAD_REQUEST, "ERROR_CGI_URL_NOTMATCH: the path is not /files/v2/<appid>/<bucket>/<path>";
    SliceOffset slice_offset = -29095, BAD_REQUEST, "offset must be a multiple of slice_size";
    BadSession bad_session = -29096, BAD_REQUEST, "the session does not exist or belongs to another file";
    FinishNoFilesize finish_no_filesize = -29104, BAD_REQUEST, "upload_slice_finish needs filesize";
    FileTooBig file_too_big = -29105, BAD_REQUEST, "a file may be at most 64 GB";
    ShaWithoutParts sha_without_parts = -29133, BAD_REQUEST, "sha needs uploadparts";
    BadUploadparts bad_uploadparts = -29134, BAD_REQUEST, "uploadparts does not cover filesize in slices of slice_size";
    SliceNotDeclared slice_not_declared = -29136, BAD_REQUEST, "the slice's offset or length does not match the session";
    SliceSha slice_sha = -29138, BAD_REQUEST, "the slice's content does not match its datasha";
    MissingSlices missing_slices = -29144, BAD_REQUEST, "slices are missing";
}

impl From<JsonCode> for ApiError {
    fn from(c: JsonCode) -> ApiError {
        ApiError::new(Code::Json(c), c.text())
    }
}

/// `-5999`: a parameter is missing or malformed.
pub fn param(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        Code::Json(JsonCode::Param),
        format!("{}: {detail}", JsonCode::Param.text()),
    )
}

/// `-133`: the bucket does not exist.
pub fn no_bucket() -> ApiError {
    ApiError::new(Code::NoSuchBucket, "The specified bucket does not exist.")
}

/// `-197`: the file or directory does not exist.
pub fn not_found() -> ApiError {
    ApiError::new(Code::NoSuchKey, "The specified key does not exist.")
}

/// `-177`: the file already exists.
pub fn file_exists() -> ApiError {
    ApiError::new(
        Code::FileAlreadyExists,
        "The object already exists and overwriting it was forbidden.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::Surface;
    use crate::auth::legacy::LegacyAuthError;
    use crate::service::ServiceError;

    /// The JSON API's number and status for `e`, as rendered.
    fn wire(e: &ApiError) -> (i32, u16) {
        let r = e.clone().render(Surface::Json, "r", "", false);
        (e.json_code(), r.status().as_u16())
    }

    #[test]
    fn codes_and_statuses() {
        let table = [
            // What `api::authz` refuses with.
            (
                ApiError::new(Code::AccessDenied, "Access Denied."),
                -55,
                403,
            ),
            (no_bucket(), -133, 404),
            (not_found(), -197, 404),
            (file_exists(), -177, 409),
            (dir_exists(), -178, 409),
            (dir_not_empty(), -173, 409),
            (size_mismatch(), -175, 400),
            (bad_slice_size(), -284, 400),
            (sha_mismatch(), -4016, 409),
            (unfinished(), -4019, 409),
            (too_large(), -285, 413),
            (param("x"), -5999, 400),
            (ApiError::from(LegacyAuthError::Replayed), -77, 403),
            (ApiError::from(ServiceError::ObjectExists), -177, 409),
        ];
        for (e, code, status) in table {
            assert_eq!(wire(&e), (code, status), "{}", e.message);
        }
        assert_eq!(unfinished().message, "_ERROR_FILE_NOT_FINISH_UPLOAD");
        assert_eq!(param("x").message, "ERROR_CGI_PARAM: x");
        assert_eq!(
            bad_url().detail("why").message,
            "ERROR_CGI_URL_NOTMATCH: the path is not /files/v2/<appid>/<bucket>/<path> (why)"
        );
    }

    /// The service's errors as the JSON API answers them.
    #[test]
    fn service_errors() {
        let table = [
            (ServiceError::NoSuchBucket, -133, 404),
            (ServiceError::NoSuchKey, -197, 404),
            (ServiceError::ObjectExists, -177, 409),
            (ServiceError::PreconditionFailed, -177, 409),
            (ServiceError::NoSuchUpload, -29096, 400),
            (ServiceError::IncompleteBody("short".into()), -5993, 400),
            (ServiceError::EntityTooLarge, -29105, 400),
            (ServiceError::Internal("disk".into()), -195, 500),
            (ServiceError::BucketNotEmpty, -5999, 400),
            (ServiceError::InvalidRequest("no".into()), -5999, 400),
        ];
        for (s, code, status) in table {
            let text = s.to_string();
            let e = ApiError::from(s);
            assert_eq!(wire(&e), (code, status), "{text}");
        }
    }
}
