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

/// What the reading side hands to the upload at a time (two wait in the channel).
const CHUNK: usize = 1 << 20;
/// The upload's parts (S3's multipart minimum is 5 MiB).
const PART: usize = 5 << 20;
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
    // The reading side hashes (and encrypts) on its own thread, in big blocks, so the upload's
    // task only sends: hashing on the runtime's thread would hold the upload up.
    let producer = tokio::task::spawn_blocking(move || -> Result<Produced, Problem> {
        let mut input = HashingReader::new(file);
        if recipients.is_empty() {
            let mut output = ChunkSender::new(sender, false);
            copy_in_blocks(&mut input, &mut output)
                .and_then(|_| output.flush())
                .map_err(|e| io_problem(&e, "reading the backup"))?;
            let (plain_sha256, plain_size) = input.finish();
            Ok(Produced {
                stored_sha256: plain_sha256.clone(),
                stored_size: plain_size,
                plain_sha256,
                plain_size,
            })
        } else {
            let mut output = ChunkSender::new(sender, true);
            encryption::encrypt_stream(&recipients, &mut input, &mut output)?;
            output
                .flush()
                .map_err(|e| io_problem(&e, "encrypting the backup"))?;
            let (plain_sha256, plain_size) = input.finish();
            let (stored_sha256, stored_size) = output.finish();
            Ok(Produced {
                plain_sha256,
                plain_size,
                stored_sha256,
                stored_size,
            })
        }
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
    let mut size = 0u64;
    let mut failure = None;
    while let Some(chunk) = chunks.recv().await {
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
    let produced = match produced {
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
        plain_sha256: produced.plain_sha256,
        plain_size: produced.plain_size,
        sha256: produced.stored_sha256,
        size: produced.stored_size,
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
    let (sender, receiver) = mpsc::channel::<io::Result<bytes::Bytes>>(4);
    let destination = destination.to_path_buf();
    // The writing side hashes what arrives and what it writes (and decrypts) on its own
    // thread; the download's task only receives.
    let consumer = tokio::task::spawn_blocking(move || -> Result<Sent, Problem> {
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
            copy_in_blocks(&mut input, &mut output).map_err(|e| io_problem(&e, "downloading"))?;
        }
        let (plain_sha256, plain_size) = output
            .finish()
            .map_err(|e| io_problem(&e, "writing the download"))?;
        let (sha256, size) = input.finish();
        Ok(Sent {
            plain_sha256,
            plain_size,
            sha256,
            size,
        })
    });
    let mut failure = None;
    while let Some(next) = stream.next().await {
        match next {
            Ok(bytes) => {
                if sender.send(Ok(bytes)).await.is_err() {
                    break;
                }
            }
            Err(error) => {
                failure = Some(error.to_string());
                let _ = sender.send(Err(io::Error::other(error.to_string()))).await;
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
    written
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

/// What the reading side made of the file.
struct Produced {
    plain_sha256: String,
    plain_size: u64,
    stored_sha256: String,
    stored_size: u64,
}

/// `io::copy` with 1 MiB blocks (its own buffer is 8 KiB: many small reads and hash updates).
fn copy_in_blocks(input: &mut impl Read, output: &mut impl Write) -> io::Result<u64> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        output.write_all(&buffer[..n])?;
        total += n as u64;
    }
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

/// A `Write` that hands full chunks to the upload (blocking while it is busy), hashing what
/// it sends when that differs from the file (encrypted).
struct ChunkSender {
    sender: mpsc::Sender<Vec<u8>>,
    buffer: Vec<u8>,
    hash: Option<Sha256>,
    size: u64,
}

impl ChunkSender {
    fn new(sender: mpsc::Sender<Vec<u8>>, hashed: bool) -> Self {
        ChunkSender {
            sender,
            buffer: Vec::with_capacity(CHUNK),
            hash: hashed.then(Sha256::new),
            size: 0,
        }
    }

    fn finish(self) -> (String, u64) {
        let hash = self.hash.map(|h| hex::encode(h.finalize()));
        (hash.unwrap_or_default(), self.size)
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        if let Some(hash) = self.hash.as_mut() {
            hash.update(&self.buffer);
        }
        self.size += self.buffer.len() as u64;
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

/// A `Read` over the chunks the download receives, hashing them as they are read.
struct ChunkReceiver {
    receiver: mpsc::Receiver<io::Result<bytes::Bytes>>,
    current: bytes::Bytes,
    hash: Sha256,
    size: u64,
}

impl ChunkReceiver {
    fn new(receiver: mpsc::Receiver<io::Result<bytes::Bytes>>) -> Self {
        ChunkReceiver {
            receiver,
            current: bytes::Bytes::new(),
            hash: Sha256::new(),
            size: 0,
        }
    }

    fn finish(self) -> (String, u64) {
        (hex::encode(self.hash.finalize()), self.size)
    }
}

impl Read for ChunkReceiver {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.blocking_recv() {
                Some(Ok(next)) => {
                    self.hash.update(&next);
                    self.size += next.len() as u64;
                    self.current = next;
                }
                Some(Err(error)) => return Err(error),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}
