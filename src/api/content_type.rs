//! The Content-Type an upload without one is stored with: inferred from the key's extension,
//! as COS does (a PUT of `a.txt` without Content-Type reads back as `text/plain`); a key
//! without a known extension keeps none, and GET/HEAD answer `application/octet-stream`.
//! A small hand-written table rather than a MIME database crate: these are the types COS
//! users upload, and the table is pinned by a test (docs/wire-details.md).

/// Extension (lower case, without the dot) -> type.
const TABLE: &[(&str, &str)] = &[
    // text
    ("txt", "text/plain"),
    ("text", "text/plain"),
    ("log", "text/plain"),
    ("md", "text/markdown"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("xml", "text/xml"),
    ("js", "application/javascript"),
    ("mjs", "application/javascript"),
    ("json", "application/json"),
    // images
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("bmp", "image/bmp"),
    ("webp", "image/webp"),
    ("svg", "image/svg+xml"),
    ("ico", "image/x-icon"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("heic", "image/heic"),
    ("avif", "image/avif"),
    // audio and video
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("flac", "audio/flac"),
    ("aac", "audio/aac"),
    ("m4a", "audio/mp4"),
    ("mp4", "video/mp4"),
    ("m4v", "video/mp4"),
    ("mov", "video/quicktime"),
    ("avi", "video/x-msvideo"),
    ("wmv", "video/x-ms-wmv"),
    ("flv", "video/x-flv"),
    ("mkv", "video/x-matroska"),
    ("webm", "video/webm"),
    ("m3u8", "application/vnd.apple.mpegurl"),
    ("ts", "video/mp2t"),
    // documents
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("rtf", "application/rtf"),
    // archives and binaries
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("tgz", "application/gzip"),
    ("tar", "application/x-tar"),
    ("bz2", "application/x-bzip2"),
    ("7z", "application/x-7z-compressed"),
    ("rar", "application/vnd.rar"),
    ("apk", "application/vnd.android.package-archive"),
    ("exe", "application/octet-stream"),
    ("bin", "application/octet-stream"),
    ("wasm", "application/wasm"),
    // fonts
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
];

/// The type for `key`'s extension (the text after the last `.` of its last segment), if the
/// table knows it.
pub fn for_key(key: &str) -> Option<&'static str> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    TABLE.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_extensions() {
        for (key, want) in [
            ("a.txt", Some("text/plain")),
            ("dir/report.PDF", Some("application/pdf")),
            ("x/y/archive.zip", Some("application/zip")),
            ("site/index.html", Some("text/html")),
            ("photo.final.JPG", Some("image/jpeg")),
            ("v.mp4", Some("video/mp4")),
            ("data.json", Some("application/json")),
            ("noext", None),
            ("dir.txt/noext", None),
            ("trailing.", None),
            ("a.unknownext", None),
            ("dir/", None),
            (".txt", Some("text/plain")),
        ] {
            assert_eq!(for_key(key), want, "{key}");
        }
        // Every extension is lower case and listed once.
        for (i, (e, _)) in TABLE.iter().enumerate() {
            assert_eq!(*e, e.to_ascii_lowercase());
            assert!(!TABLE[..i].iter().any(|(o, _)| o == e), "{e} twice");
        }
    }
}
