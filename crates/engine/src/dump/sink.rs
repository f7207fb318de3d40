//! Writing a dump to disk while it streams in: on its own thread (file I/O and hashing stay
//! off the async runtime), through a bounded channel (memory stays flat whatever the size),
//! hashing and counting the bytes as they land, optionally compressing with zstd.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

/// Called with the bytes written so far, a few times a second.
pub type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// What landed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    pub sha256: String,
}

/// Chunks in flight between the reader and the writer thread: bounds memory to a few MiB.
const CHANNEL_CHUNKS: usize = 32;
const WRITE_BUFFER: usize = 1 << 20;
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

pub struct Sink {
    sender: mpsc::Sender<Bytes>,
    writer: std::thread::JoinHandle<io::Result<Written>>,
}

impl Sink {
    /// Creates `path` (0600, failing if it exists) and starts the writer thread.
    pub fn create(
        path: &Path,
        app_zstd_level: Option<i32>,
        progress: ProgressFn,
    ) -> io::Result<Sink> {
        let file = create_private_file(path)?;
        let (sender, mut receiver) = mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
        let writer = std::thread::Builder::new()
            .name("dbm-dump-writer".into())
            .spawn(move || -> io::Result<Written> {
                let hashing =
                    HashingWriter::new(BufWriter::with_capacity(WRITE_BUFFER, file), progress);
                let mut out: Box<dyn FinishWrite> = match app_zstd_level {
                    Some(level) => Box::new(zstd::Encoder::new(hashing, level)?),
                    None => Box::new(hashing),
                };
                while let Some(chunk) = receiver.blocking_recv() {
                    out.write_all(&chunk)?;
                }
                out.finish_write()
            })?;
        Ok(Sink { sender, writer })
    }

    /// Queues a chunk; waits when the writer is behind. Fails when the writer has stopped
    /// (disk full, I/O error): `finish` then tells why.
    pub async fn write(&self, chunk: Bytes) -> Result<(), ()> {
        self.sender.send(chunk).await.map_err(|_| ())
    }

    /// Ends the stream, flushes and fsyncs; returns the byte count and SHA-256 of the file.
    pub async fn finish(self) -> io::Result<Written> {
        drop(self.sender);
        let writer = self.writer;
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .map_err(io::Error::other)?
            .map_err(|_| io::Error::other("the dump writer thread panicked"))?
    }
}

pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// A writer that can be closed with a final result.
trait FinishWrite: Write + Send {
    fn finish_write(self: Box<Self>) -> io::Result<Written>;
}

struct HashingWriter {
    inner: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    progress: ProgressFn,
    last_report: Instant,
}

impl HashingWriter {
    fn new(inner: BufWriter<File>, progress: ProgressFn) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            progress,
            last_report: Instant::now(),
        }
    }
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        if self.last_report.elapsed() >= PROGRESS_EVERY {
            self.last_report = Instant::now();
            (self.progress)(self.bytes);
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl FinishWrite for HashingWriter {
    fn finish_write(mut self: Box<Self>) -> io::Result<Written> {
        self.inner.flush()?;
        let file = self.inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        (self.progress)(self.bytes);
        Ok(Written {
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

impl FinishWrite for zstd::Encoder<'static, HashingWriter> {
    fn finish_write(self: Box<Self>) -> io::Result<Written> {
        let hashing = (*self).finish()?;
        Box::new(hashing).finish_write()
    }
}

/// SHA-256 and size of a file already on disk, or of a directory (its files in name order,
/// each as "relative path NUL sha256 LF" hashed again), reading with a bounded buffer.
pub fn hash_path(path: &Path) -> io::Result<Written> {
    if path.is_dir() {
        hash_folder_knowing(path, &std::collections::HashMap::new())
    } else {
        hash_file(path)
    }
}

/// As `hash_path` for a folder, taking what files already hashed to (by path relative to
/// the folder) instead of reading them again: a server set's parts, hashed as they were made.
pub fn hash_folder_knowing(
    path: &Path,
    known: &std::collections::HashMap<std::path::PathBuf, Written>,
) -> io::Result<Written> {
    let mut files = Vec::new();
    collect_files(path, path, &mut files)?;
    files.sort();
    let mut manifest = Sha256::new();
    let mut bytes = 0;
    for relative in files {
        let file = match known.get(&relative) {
            Some(known) => known.clone(),
            None => hash_file(&path.join(&relative))?,
        };
        bytes += file.bytes;
        manifest.update(relative.to_string_lossy().as_bytes());
        manifest.update([0]);
        manifest.update(file.sha256.as_bytes());
        manifest.update(b"\n");
    }
    Ok(Written {
        bytes,
        sha256: hex::encode(manifest.finalize()),
    })
}

/// A folder's files, relative to it, in the order its hash takes them.
pub fn folder_files(path: &Path) -> io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    collect_files(path, path, &mut files)?;
    files.sort();
    Ok(files)
}

fn hash_file(path: &Path) -> io::Result<Written> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = io::copy(&mut file, &mut hasher)?;
    Ok(Written {
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<std::path::PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            out.push(
                path.strip_prefix(root)
                    .map_err(io::Error::other)?
                    .to_path_buf(),
            );
        }
    }
    Ok(())
}

/// The last bytes of a stream (pg_dump's stderr): bounded, whatever it prints.
#[derive(Debug, Default)]
pub struct Tail {
    buffer: Vec<u8>,
}

pub const TAIL_BYTES: usize = 64 * 1024;

impl Tail {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() > TAIL_BYTES {
            let cut = self.buffer.len() - TAIL_BYTES;
            self.buffer.drain(..cut);
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_counts_what_it_writes_and_the_file_matches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let progress_seen = seen.clone();
        let sink = Sink::create(
            &path,
            None,
            Arc::new(move |b| progress_seen.store(b, std::sync::atomic::Ordering::SeqCst)),
        )
        .unwrap();
        for i in 0..100u8 {
            sink.write(Bytes::from(vec![i; 10_000])).await.unwrap();
        }
        let written = sink.finish().await.unwrap();
        assert_eq!(written.bytes, 1_000_000);
        assert_eq!(written, hash_path(&path).unwrap());
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1_000_000);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[tokio::test]
    async fn compresses_with_zstd_and_hashes_the_compressed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.zst");
        let sink = Sink::create(&path, Some(3), Arc::new(|_| {})).unwrap();
        let text = "INSERT INTO t VALUES (1);\n".repeat(10_000);
        sink.write(Bytes::from(text.clone())).await.unwrap();
        let written = sink.finish().await.unwrap();
        assert!(written.bytes < text.len() as u64 / 10);
        assert_eq!(written, hash_path(&path).unwrap());
        let decoded = zstd::decode_all(File::open(&path).unwrap()).unwrap();
        assert_eq!(decoded, text.as_bytes());
    }

    #[test]
    fn the_tail_keeps_only_the_last_64_kib() {
        let mut tail = Tail::default();
        for _ in 0..100 {
            tail.push(&[b'a'; 1000]);
        }
        tail.push(b"pg_dump: error: the end");
        assert_eq!(tail.text().len(), TAIL_BYTES);
        assert!(tail.text().ends_with("pg_dump: error: the end"));
    }
}
