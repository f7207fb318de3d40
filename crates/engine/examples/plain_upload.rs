//! The floor of a copy: one file streamed to an S3-compatible server by the same storage
//! library (OpenDAL) with the same part size and parts in flight as a copy, and nothing else
//! (no hashing, no manifest, no records). Used by `cargo xtask bench storage`.
//!
//! Usage: plain_upload ENDPOINT BUCKET KEY FILE (access key and secret in DBM_S3_ACCESS_KEY and
//! DBM_S3_SECRET_KEY).

use std::time::Instant;

use opendal::{services, Operator};
use tokio::io::AsyncReadExt;

const PART: usize = 5 << 20;
const PARTS_IN_FLIGHT: usize = 2;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, bucket, key, file] = args.as_slice() else {
        return Err("usage: plain_upload ENDPOINT BUCKET KEY FILE".into());
    };
    opendal_http_transport_reqwest::install_default();
    let operator = Operator::new(
        services::S3::default()
            .endpoint(endpoint)
            .bucket(bucket)
            .region("us-east-1")
            .access_key_id(&std::env::var("DBM_S3_ACCESS_KEY")?)
            .secret_access_key(&std::env::var("DBM_S3_SECRET_KEY")?)
            .disable_config_load()
            .disable_ec2_metadata(),
    )?;
    let started = Instant::now();
    let mut writer = operator
        .writer_with(key)
        .chunk(PART)
        .concurrent(PARTS_IN_FLIGHT)
        .await?;
    let mut input = tokio::fs::File::open(file).await?;
    let mut sent = 0u64;
    loop {
        let mut chunk = Vec::with_capacity(4 << 20);
        let read = (&mut input).take(4 << 20).read_to_end(&mut chunk).await?;
        if read == 0 {
            break;
        }
        sent += read as u64;
        writer.write(chunk).await?;
    }
    writer.close().await?;
    println!(
        "{{\"bytes\": {sent}, \"seconds\": {}}}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
