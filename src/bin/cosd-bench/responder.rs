//! A do-nothing S3 endpoint: the load generator's own ceiling is measured against it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

const LIST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>b</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";

pub async fn serve(listen: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("listening {}", listener.local_addr()?);
    let body4k = Bytes::from(vec![b'x'; 4096]);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let body4k = body4k.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let body4k = body4k.clone();
                async move {
                    let is_get = req.method() == http::Method::GET;
                    let is_list = req.uri().query().is_some_and(|q| q.contains("list-type"));
                    // Read (and drop) the body so the connection stays usable.
                    let _ = req.into_body().collect().await;
                    let out = match (is_get, is_list) {
                        (true, true) => Bytes::from_static(LIST.as_bytes()),
                        (true, false) => body4k,
                        _ => Bytes::new(),
                    };
                    http::Response::builder()
                        .header("etag", "\"d41d8cd98f00b204e9800998ecf8427e\"")
                        .body(Full::new(out))
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
