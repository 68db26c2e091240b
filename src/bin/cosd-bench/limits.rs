//! This machine's limits, measured in the same run as the benchmarks: single-core hash rates,
//! new-file + fsync rate, durable large-write throughput, and loopback TCP throughput.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::Instant;

/// GB/s of `f` over a 64 MiB buffer, best of a few passes (one core).
fn rate(buf: &[u8], mut f: impl FnMut(&[u8])) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        f(buf);
        best = best.min(t.elapsed().as_secs_f64());
    }
    buf.len() as f64 / best / 1e9
}

pub fn measure() -> std::io::Result<Value> {
    use md5::Digest;
    let mut buf = vec![0u8; 64 << 20];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut buf);
    // The fastest MD5 this machine has, OpenSSL's, the md-5 crate's or cosd's own one-stream
    // MD5 (src/checksum/md5x_array.rs), which hashes large bodies: the ceiling must not
    // flatter cosd.
    let md5_crate = rate(&buf, |b| {
        std::hint::black_box(md5::Md5::digest(b));
    });
    let md5_openssl = rate(&buf, |b| {
        let mut h = cosd::checksum::BodyMd5::default();
        h.update(b);
        std::hint::black_box(h.finish().ok());
    });
    let md5_cosd = rate(&buf, |b| {
        let mut h = cosd::checksum::md5x::Md5State::default();
        h.update(b);
        std::hint::black_box(h.finish());
    });
    let md5 = md5_crate.max(md5_openssl).max(md5_cosd);
    let sha256 = rate(&buf, |b| {
        std::hint::black_box(sha2::Sha256::digest(b));
    });
    let blake3 = rate(&buf, |b| {
        std::hint::black_box(blake3::hash(b));
    });
    let crc64 = rate(&buf, |b| {
        let mut d = crc64fast::Digest::new();
        d.write(b);
        std::hint::black_box(d.sum64());
    });
    Ok(json!({
        "md5_gbps": md5,
        "md5_crate_gbps": md5_crate,
        "md5_openssl_gbps": md5_openssl,
        "md5_cosd_gbps": md5_cosd,
        "sha256_gbps": sha256,
        "blake3_gbps": blake3,
        "crc64_gbps": crc64,
        "fsync_new_file_per_s": fsync_rate()?,
        "durable_write_mibps": durable_write()?,
        "loopback_gbps": (0..3).try_fold(0f64, |best, _| loopback().map(|r| best.max(r)))?,
    }))
}

/// New 4 KiB files written and fsynced (file and directory) per second, one thread.
fn fsync_rate() -> std::io::Result<f64> {
    let dir = std::env::temp_dir().join(format!("cosd-bench-fsync-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let data = [7u8; 4096];
    let t = Instant::now();
    let mut n = 0u64;
    while t.elapsed().as_secs_f64() < 1.0 {
        let mut f = std::fs::File::create(dir.join(format!("f{n}")))?;
        f.write_all(&data)?;
        f.sync_all()?;
        std::fs::File::open(&dir)?.sync_all()?;
        n += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&dir)?;
    Ok(n as f64 / secs)
}

/// MiB/s of durable 4 MiB writes by 16 threads, each write to a new file with `O_DIRECT` and
/// then `fdatasync` (buffered where the filesystem refuses direct I/O): what the chunk store
/// asks of the disk while eight parts upload at once (two chunks in flight each), without its
/// renames and directory syncs. 1 GiB in all.
fn durable_write() -> std::io::Result<f64> {
    use std::os::unix::fs::OpenOptionsExt;
    const SIZE: usize = 4 << 20;
    const WRITERS: usize = 16;
    const EACH: usize = 16;
    let dir = std::env::temp_dir().join(format!("cosd-bench-disk-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let t = Instant::now();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut raw = Vec::new();
                let buf = cosd::chunk::aligned_slice(&mut raw, SIZE);
                rand::RngCore::fill_bytes(&mut rand::rng(), buf);
                for i in 0..EACH {
                    let path = dir.join(format!("w{w}-{i}"));
                    let open = |flags| {
                        std::fs::OpenOptions::new()
                            .write(true)
                            .create_new(true)
                            .custom_flags(flags)
                            .open(&path)
                    };
                    let mut f = match open(libc::O_DIRECT) {
                        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => open(0)?,
                        r => r?,
                    };
                    f.write_all(buf)?;
                    f.sync_data()?;
                }
                Ok(())
            })
        })
        .collect();
    for w in writers {
        w.join()
            .map_err(|_| std::io::Error::other("a writer panicked"))??;
    }
    let secs = t.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&dir)?;
    Ok((WRITERS * EACH * SIZE) as f64 / secs / f64::from(1 << 20))
}

/// One TCP stream over loopback, 1 GiB in 1 MiB writes.
fn loopback() -> std::io::Result<f64> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let reader = std::thread::spawn(move || -> std::io::Result<u64> {
        let (mut s, _) = listener.accept()?;
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = s.read(&mut buf)?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
        }
    });
    let mut s = std::net::TcpStream::connect(addr)?;
    let buf = vec![1u8; 1 << 20];
    let t = Instant::now();
    for _ in 0..1024 {
        s.write_all(&buf)?;
    }
    drop(s);
    let total = reader
        .join()
        .map_err(|_| std::io::Error::other("reader panicked"))??;
    Ok(total as f64 / t.elapsed().as_secs_f64() / 1e9)
}
