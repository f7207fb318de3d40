//! Where the campaign's password must never appear: files under its folder (data dirs and their
//! SQLite file and WAL, backup roots, every output and log kept), every process's argv while
//! dumps and restores run, and `docker inspect` of every container after the run. The keyring
//! and a live run's container environment are the two places it may be.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Samples every process's command line while the campaign runs.
pub struct ArgvWatch {
    stop: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
    samples: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ArgvWatch {
    pub fn start(secret: &str) -> ArgvWatch {
        let (stop, hits, samples) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let needle = secret.as_bytes().to_vec();
        let (s, h, n) = (stop.clone(), hits.clone(), samples.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    if let Ok(argv) = std::fs::read(entry.path().join("cmdline")) {
                        if contains(&argv, &needle) {
                            h.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                n.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        ArgvWatch {
            stop,
            hits,
            samples,
            thread: Some(thread),
        }
    }

    /// (hits, samples taken).
    pub fn finish(mut self) -> (usize, usize) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        (
            self.hits.load(Ordering::Relaxed),
            self.samples.load(Ordering::Relaxed),
        )
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Files under `dir` (all of them, any depth) holding the secret, and how many were read.
pub fn in_files(dir: &Path, secret: &str) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut read = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => {
                    read += 1;
                    if std::fs::read(&path).is_ok_and(|bytes| contains(&bytes, secret.as_bytes())) {
                        found.push(path.display().to_string());
                    }
                }
                _ => {}
            }
        }
    }
    (found, read)
}

/// Containers (any state) whose `docker inspect` holds the secret now.
pub fn in_containers(secret: &str, docker_hosts: &[Option<String>]) -> usize {
    let mut found = 0;
    for host in docker_hosts {
        let docker = |args: &[&str]| {
            let mut command = Command::new("docker");
            if let Some(host) = host {
                command.env("DOCKER_HOST", host);
            }
            command
                .args(args)
                .output()
                .map(|o| o.stdout)
                .unwrap_or_default()
        };
        let ids = String::from_utf8_lossy(&docker(&["ps", "-aq"])).to_string();
        for id in ids.lines() {
            if contains(&docker(&["inspect", id]), secret.as_bytes()) {
                found += 1;
            }
        }
    }
    found
}
