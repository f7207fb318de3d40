//! Moving one file between this computer and a location, streamed: a thread reads (and
//! encrypts) the file in chunks while the upload sends them, so memory stays a few chunks
//! whatever the file's size; both sides are hashed on the way (SHA-256).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use futures_util::StreamExt;
use opendal::Operator;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::encryption;
use super::model::LocationSettings;
use super::problems::{io_problem, storage_problem};
use crate::model::{Code, Problem};

/// What the reading side hands to the upload at a time.
const CHUNK: usize = 4 << 20;
/// The upload's parts (S3's multipart minimum is 5 MiB).
const PART: usize = 8 << 20;
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 2;
/// The object metadata key holding the file's own SHA-256 (before encryption).
pub const SHA_METADATA: &str = "dbm-sha256";

/// One file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Of the file on this computer.
    pub plain_sha256: String,
    pub plain_size: u64,
    /// Of the object as stored (equal to the plain ones unless encrypted).
    pub sha256: String,
    pub size: u64,
}

/// Makes the folder `key` goes in, where the service has folders (SFTP, a local folder):
/// writes there do not make their parents.
pub async fn ensure_parent(operator: &Operator, key: &str) -> opendal::Result<()> {
    if !operator.info().capability().create_dir {
        return Ok(());
    }
    match key.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => operator.create_dir(&format!("{parent}/")).await,
        _ => Ok(()),
    }
}

/// Sends `path` to `key`: encrypted to `recipients` when there are any. `on_progress` hears
/// the bytes stored so far.
pub async fn upload(
    operator: &Operator,
    settings: &LocationSettings,
    path: &Path,
    key: &str,
    plain_sha256: Option<&str>,
    recipients: &[String],
    on_progress: &(dyn Fn(u64) + Sync),
) -> Result<Sent, Problem> {
    let file =
        File::open(path).map_err(|e| io_problem(&e, &format!("reading {}", path.display())))?;
    let (sender, mut chunks) = mpsc::channel::<Vec<u8>>(2);
    let recipients = recipients.to_vec();
    let producer = tokio::task::spawn_blocking(move || -> Result<(String, u64), Problem> {
        let mut input = HashingReader::new(file);
        let output = ChunkSender::new(sender);
        if recipients.is_empty() {
            let mut output = output;
            io::copy(&mut input, &mut output).map_err(|e| io_problem(&e, "reading the backup"))?;
            output
                .flush()
                .map_err(|e| io_problem(&e, "reading the backup"))?;
        } else {
            let mut output = output;
            encryption::encrypt_stream(&recipients, &mut input, &mut output)?;
            output
                .flush()
                .map_err(|e| io_problem(&e, "encrypting the backup"))?;
        }
        Ok(input.finish())
    });

    let mut writer = operator
        .writer_with(key)
        .chunk(PART)
        .concurrent(PARTS_IN_FLIGHT);
    if let (Some(sha), true) = (
        plain_sha256,
        operator.info().capability().write_with_user_metadata,
    ) {
        writer = writer.user_metadata([(SHA_METADATA.to_string(), sha.to_string())]);
    }
    let mut writer = writer.await.map_err(|e| storage_problem(&e, settings))?;
    let mut stored = Sha256::new();
    let mut size = 0u64;
    let mut failure = None;
    while let Some(chunk) = chunks.recv().await {
        stored.update(&chunk);
        size += chunk.len() as u64;
        if let Err(error) = writer.write(chunk).await {
            failure = Some(storage_problem(&error, settings));
            break;
        }
        on_progress(size);
    }
    // Dropping the receiver ends the reading side at its next chunk.
    drop(chunks);
    let produced = producer.await.map_err(|e| {
        Problem::new(
            Code::StorageFailed,
            format!("The copy's reader stopped: {e}."),
            "Retry the copy.",
        )
    })?;
    if let Some(problem) = failure {
        let _ = writer.abort().await;
        return Err(problem);
    }
    let (plain_sha256, plain_size) = match produced {
        Ok(done) => done,
        Err(problem) => {
            let _ = writer.abort().await;
            return Err(problem);
        }
    };
    writer
        .close()
        .await
        .map_err(|e| storage_problem(&e, settings))?;
    Ok(Sent {
        plain_sha256,
        plain_size,
        sha256: hex::encode(stored.finalize()),
        size,
    })
}

/// Streams `key` into `destination` (which must not exist), hashing what it reads; when
/// `decrypt`, the stored bytes go through age on the way. Answers the stored object's hash and
/// size, and the written file's.
pub async fn download(
    operator: &Operator,
    settings: &LocationSettings,
    key: &str,
    destination: &Path,
    decrypt_with: Option<age::x25519::Identity>,
) -> Result<Sent, Problem> {
    let reader = operator
        .reader_with(key)
        .chunk(PART)
        .concurrent(PARTS_IN_FLIGHT)
        .await
        .map_err(|e| storage_problem(&e, settings))?;
    let mut stream = reader
        .into_bytes_stream(..)
        .await
        .map_err(|e| storage_problem(&e, settings))?;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<io::Result<bytes::Bytes>>(4);
    let destination = destination.to_path_buf();
    let consumer = tokio::task::spawn_blocking(move || -> Result<(String, u64), Problem> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&destination)
            .map_err(|e| io_problem(&e, &format!("writing {}", destination.display())))?;
        let mut output = HashingWriter::new(io::BufWriter::with_capacity(1 << 20, file));
        let mut input = ChunkReceiver::new(receiver);
        if let Some(identity) = &decrypt_with {
            encryption::decrypt_stream(identity, &mut input, &mut output)?;
        } else {
            io::copy(&mut input, &mut output).map_err(|e| io_problem(&e, "downloading"))?;
        }
        let done = output
            .finish()
            .map_err(|e| io_problem(&e, "writing the download"))?;
        Ok(done)
    });
    let mut stored = Sha256::new();
    let mut size = 0u64;
    let mut failure = None;
    while let Some(next) = stream.next().await {
        match next {
            Ok(bytes) => {
                stored.update(&bytes);
                size += bytes.len() as u64;
                if sender.send(Ok(bytes)).is_err() {
                    break;
                }
            }
            Err(error) => {
                failure = Some(error.to_string());
                let _ = sender.send(Err(io::Error::other(error.to_string())));
                break;
            }
        }
    }
    drop(sender);
    let written = consumer.await.map_err(|e| {
        Problem::new(
            Code::StorageFailed,
            format!("The download's writer stopped: {e}."),
            "Retry.",
        )
    })?;
    if let Some(detail) = failure {
        return Err(Problem::new(
            Code::StorageUnreachable,
            format!(
                "Reading {key} from {} failed: {detail}.",
                settings.describe()
            ),
            "Check that the location is reachable, then try again.",
        ));
    }
    let (plain_sha256, plain_size) = written?;
    Ok(Sent {
        plain_sha256,
        plain_size,
        sha256: hex::encode(stored.finalize()),
        size,
    })
}

/// Reads an object to its end without keeping it: its SHA-256 and size.
pub async fn hash_object(
    operator: &Operator,
    settings: &LocationSettings,
    key: &str,
) -> Result<(String, u64), Problem> {
    let reader = operator
        .reader_with(key)
        .chunk(PART)
        .await
        .map_err(|e| storage_problem(&e, settings))?;
    let mut stream = reader
        .into_bytes_stream(..)
        .await
        .map_err(|e| storage_problem(&e, settings))?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    while let Some(next) = stream.next().await {
        let bytes = next.map_err(|e| {
            Problem::new(
                Code::StorageUnreachable,
                format!("Reading {key} from {} failed: {e}.", settings.describe()),
                "Check that the location is reachable, then try again.",
            )
        })?;
        hash.update(&bytes);
        size += bytes.len() as u64;
    }
    Ok((hex::encode(hash.finalize()), size))
}

struct HashingReader<R> {
    inner: R,
    hash: Sha256,
    size: u64,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hash: Sha256::new(),
            size: 0,
        }
    }

    fn finish(self) -> (String, u64) {
        (hex::encode(self.hash.finalize()), self.size)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

struct HashingWriter<W: Write> {
    inner: W,
    hash: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hash: Sha256::new(),
            size: 0,
        }
    }

    fn finish(mut self) -> io::Result<(String, u64)> {
        self.inner.flush()?;
        Ok((hex::encode(self.hash.finalize()), self.size))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A `Write` that hands full chunks to the upload (blocking while it is busy).
struct ChunkSender {
    sender: mpsc::Sender<Vec<u8>>,
    buffer: Vec<u8>,
}

impl ChunkSender {
    fn new(sender: mpsc::Sender<Vec<u8>>) -> Self {
        ChunkSender {
            sender,
            buffer: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender
            .blocking_send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the upload stopped"))
    }
}

impl Write for ChunkSender {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buffer.len();
        let n = buf.len().min(room);
        self.buffer.extend_from_slice(&buf[..n]);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// A `Read` over the chunks the download receives.
struct ChunkReceiver {
    receiver: std::sync::mpsc::Receiver<io::Result<bytes::Bytes>>,
    current: bytes::Bytes,
}

impl ChunkReceiver {
    fn new(receiver: std::sync::mpsc::Receiver<io::Result<bytes::Bytes>>) -> Self {
        ChunkReceiver {
            receiver,
            current: bytes::Bytes::new(),
        }
    }
}

impl Read for ChunkReceiver {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.recv() {
                Ok(Ok(next)) => self.current = next,
                Ok(Err(error)) => return Err(error),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}
