//! The ways of backing up `dbm_bench` that the bench compares, and one measured run of each:
//! wall time, output size and, for `dbm`, the peak RSS of its process.

use std::cell::Cell;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use super::dataset::{Server, DATABASE};

/// GNU time: `-f %M` prints the peak RSS (KiB) of the process it ran.
pub const GNU_TIME: &str = "/usr/bin/time";
const FLOOR_LABEL: &str = "floor: pg_dump -Fc zstd > /dev/null";
const SEED_LABEL: &str = "seed: docker run pg_dump -Fc > file";

/// The name the bench's saved connection to a server has in its private data dir.
fn connection(major: u32) -> String {
    format!("bench{major}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// pg_dump alone in the container, to /dev/null, no log driver: what no backup can beat.
    Floor,
    /// What the seed did: `docker run … pg_dump -Fc > file`, json-file logging, gzip level 6.
    Seed,
    /// The host's own pg_dump to /dev/null, gzip level 1 (what dbm picks for pg_dump < 16):
    /// the floor of the local runner, on a server that pg_dump can dump.
    LocalFloor,
    /// `dbm backup run --format FORMAT --engine ENGINE`.
    Dbm {
        format: &'static str,
        engine: &'static str,
    },
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub label: String,
    pub kind: Kind,
    /// The major of the server it dumps.
    pub major: u32,
    /// Why it is not measured here.
    pub skipped: Option<String>,
}

impl Variant {
    fn new(label: impl Into<String>, kind: Kind, major: u32) -> Variant {
        Variant {
            label: label.into(),
            kind,
            major,
            skipped: None,
        }
    }

    pub fn is_floor(&self) -> bool {
        matches!(self.kind, Kind::Floor | Kind::LocalFloor)
    }

    /// The default backup of the main server: what the targets are about.
    pub fn is_default(&self, main_major: u32) -> bool {
        self.major == main_major
            && self.kind
                == Kind::Dbm {
                    format: "custom",
                    engine: "docker",
                }
    }
}

/// One measured run.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Seconds.
    pub wall: f64,
    /// What landed on disk (a directory's files added up); None for /dev/null.
    pub bytes: Option<u64>,
    /// Peak RSS of the `dbm` process, KiB.
    pub rss_kib: Option<u64>,
    /// The compression dbm recorded (`zstd`, `app-zstd:3`, `none`…).
    pub compression: Option<String>,
}

pub type Outcome = Result<Sample, String>;

/// Peak RSS of dbm doing nothing much, KiB (medians of three).
#[derive(Debug, Clone)]
pub struct IdleRss {
    /// `dbm backup list`: opens the store, lists, exits.
    pub backup_list: u64,
    /// `dbm --version`: the bare process.
    pub version: u64,
}

/// The order of the table and of each repetition: everything on the main server (the first),
/// then the local runner against each further server, whose major a local pg_dump has.
pub fn all(bench: &Bench) -> Vec<Variant> {
    let main = bench.servers[0].major;
    let mut list = vec![
        Variant::new(FLOOR_LABEL, Kind::Floor, main),
        Variant::new(SEED_LABEL, Kind::Seed, main),
    ];
    for format in ["custom", "plain", "tar", "directory"] {
        let kind = Kind::Dbm {
            format,
            engine: "docker",
        };
        list.push(Variant::new(format!("dbm {format} (docker)"), kind, main));
    }
    let local = Kind::Dbm {
        format: "custom",
        engine: "local",
    };
    let mut main_local = Variant::new("dbm custom (local)", local, main);
    if bench.local_pg_dump(main).is_none() {
        let found: Vec<String> = bench
            .local_pg_dumps
            .iter()
            .map(|(major, path)| format!("{major} at {}", path.display()))
            .collect();
        let found = if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        };
        main_local.skipped = Some(format!(
            "skipped: no local pg_dump {main}+ (found: {found}){}",
            if bench.servers.len() > 1 {
                ""
            } else {
                "; --local15 benches it against server 15"
            }
        ));
    }
    list.push(main_local);
    for server in &bench.servers[1..] {
        let major = server.major;
        let mut floor = Variant::new(
            format!("{major}: floor: local pg_dump -Fc -Z1 > /dev/null"),
            Kind::LocalFloor,
            major,
        );
        let docker = Kind::Dbm {
            format: "custom",
            engine: "docker",
        };
        let mut docker = Variant::new(format!("{major}: dbm custom (docker)"), docker, major);
        let mut local = Variant::new(format!("{major}: dbm custom (local)"), local, major);
        if bench.local_pg_dump(major).is_none() {
            let reason = format!("skipped: no local pg_dump {major}+");
            for variant in [&mut floor, &mut docker, &mut local] {
                variant.skipped = Some(reason.clone());
            }
        }
        list.extend([floor, docker, local]);
    }
    list
}

/// What every run needs: the release `dbm` with its own data dir and a saved connection.
pub struct Bench {
    dbm: PathBuf,
    work: PathBuf,
    data_dir: PathBuf,
    /// The main server first.
    pub servers: Vec<Server>,
    /// (major, path) of every pg_dump on this machine, oldest first.
    pub local_pg_dumps: Vec<(u32, PathBuf)>,
    runs: Cell<u32>,
}

impl Bench {
    pub fn prepare(dbm: &Path, work: &Path, servers: &[Server]) -> Result<Bench, String> {
        if !dbm.is_file() {
            return Err(format!("{} is not there: build it first", dbm.display()));
        }
        let bench = Bench {
            dbm: dbm.to_path_buf(),
            work: work.to_path_buf(),
            data_dir: work.join("dbm-data"),
            servers: servers.to_vec(),
            local_pg_dumps: local_pg_dumps(),
            runs: Cell::new(0),
        };
        for server in servers {
            let mut add = bench.dbm_command();
            add.args(["connection", "add", "--name", &connection(server.major)])
                .args(["--host", &server.host, "--port", &server.port.to_string()])
                .args(["--database", DATABASE, "--user", &server.user])
                .arg("--password-stdin");
            let output = with_stdin(&mut add, &format!("{}\n", server.password))?;
            if !output.status.success() {
                return Err(format!("dbm connection add failed: {}", failure(&output)));
            }
        }
        Ok(bench)
    }

    /// The local pg_dump dbm's local runner would pick for a server: the newest of at least
    /// its major.
    pub fn local_pg_dump(&self, major: u32) -> Option<&Path> {
        self.local_pg_dumps
            .iter()
            .rev()
            .find(|(m, _)| *m >= major)
            .map(|(_, path)| path.as_path())
    }

    fn server(&self, major: u32) -> &Server {
        self.servers
            .iter()
            .find(|s| s.major == major)
            .unwrap_or(&self.servers[0])
    }

    fn dbm_command(&self) -> Command {
        let mut command = Command::new(&self.dbm);
        command.env("DBM_DATA_DIR", &self.data_dir);
        command
    }

    /// One measured run. Dirty pages of the run before are written out first, so that no run
    /// pays for another's writeback.
    pub fn run(&self, variant: &Variant) -> Outcome {
        let _ = Command::new("sync").status();
        self.runs.set(self.runs.get() + 1);
        let server = self.server(variant.major);
        match variant.kind {
            Kind::Floor => self.floor(server),
            Kind::Seed => self.seed(server),
            Kind::LocalFloor => self.local_floor(server),
            Kind::Dbm { format, engine } => self.dbm_backup(server, format, engine),
        }
    }

    fn container_name(&self) -> String {
        format!("dbm-bench-{}-{}", std::process::id(), self.runs.get())
    }

    /// `docker run --rm --network host [EXTRA] -e PGPASSWORD IMAGE ARGS…`, named so that a
    /// failed run's container can be removed.
    fn docker_run(server: &Server, name: &str, extra: &[&str], args: &[String]) -> Command {
        let mut command = Command::new("docker");
        command
            .args(["run", "--rm", "--name", name, "--network", "host"])
            .args(extra)
            .args(["-e", "PGPASSWORD", &server.image])
            .args(args)
            .env("PGPASSWORD", &server.password)
            .stdin(Stdio::null());
        command
    }

    fn floor(&self, server: &Server) -> Outcome {
        let name = self.container_name();
        let script = format!(
            "pg_dump {} -Fc --compress=zstd {DATABASE} > /dev/null",
            pg_dump_connection(server).join(" ")
        );
        let mut command = Self::docker_run(
            server,
            &name,
            &["--log-driver", "none"],
            &["sh".into(), "-c".into(), script],
        );
        let started = Instant::now();
        let output = command.stdout(Stdio::null()).output();
        let wall = started.elapsed().as_secs_f64();
        self.check_container(&name, output)?;
        Ok(Sample {
            wall,
            bytes: None,
            rss_kib: None,
            compression: Some("zstd".into()),
        })
    }

    fn seed(&self, server: &Server) -> Outcome {
        let name = self.container_name();
        let path = self.work.join("seed.dump");
        let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut args = vec!["pg_dump".to_string()];
        args.extend(pg_dump_connection(server));
        args.extend(["-Fc".to_string(), DATABASE.to_string()]);
        let mut command = Self::docker_run(server, &name, &[], &args);
        let started = Instant::now();
        let output = command.stdout(file).output();
        let wall = started.elapsed().as_secs_f64();
        let checked = self.check_container(&name, output);
        let bytes = disk_usage(&path);
        let _ = std::fs::remove_file(&path);
        checked?;
        Ok(Sample {
            wall,
            bytes: Some(bytes),
            rss_kib: None,
            compression: Some("gzip (default)".into()),
        })
    }

    fn local_floor(&self, server: &Server) -> Outcome {
        let pg_dump = self
            .local_pg_dump(server.major)
            .ok_or_else(|| format!("no local pg_dump {}+", server.major))?;
        let mut command = Command::new(pg_dump);
        command
            .args(pg_dump_connection(server))
            .args(["-Fc", "--compress=1", DATABASE])
            .env("PGPASSWORD", &server.password)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let started = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("cannot run {}: {e}", pg_dump.display()))?;
        let wall = started.elapsed().as_secs_f64();
        if !output.status.success() {
            return Err(failure(&output));
        }
        Ok(Sample {
            wall,
            bytes: None,
            rss_kib: None,
            compression: Some("gzip:1".into()),
        })
    }

    fn check_container(&self, name: &str, output: std::io::Result<Output>) -> Result<(), String> {
        let output = output.map_err(|e| format!("cannot run docker: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        let _ = Command::new("docker")
            .args(["rm", "-f", name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        Err(failure(&output))
    }

    fn dbm_backup(&self, server: &Server, format: &str, engine: &str) -> Outcome {
        let rss_file = self.work.join("rss");
        let mut command = Command::new(GNU_TIME);
        command
            .args(["-f", "%M", "-o"])
            .arg(&rss_file)
            .arg(&self.dbm)
            .args(["backup", "run", &connection(server.major)])
            .args(["--format", format])
            .args(["--engine", engine, "--json"])
            .env("DBM_DATA_DIR", &self.data_dir)
            .stdin(Stdio::null());
        let started = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("cannot run {GNU_TIME} {}: {e}", self.dbm.display()))?;
        let wall = started.elapsed().as_secs_f64();
        let json = String::from_utf8_lossy(&output.stdout);
        let file = json_string(&json, "filePath").map(PathBuf::from);
        let bytes = file.as_deref().map(disk_usage);
        if let Some(file) = &file {
            // Backups are not kept: only their size matters here.
            let _ = std::fs::remove_dir_all(file).or_else(|_| std::fs::remove_file(file));
        }
        if !output.status.success() {
            return Err(match json_string(&json, "errorMessage") {
                Some(message) => format!("dbm backup run exited {}: {message}", output.status),
                None => format!("dbm backup run: {}", failure(&output)),
            });
        }
        Ok(Sample {
            wall,
            bytes,
            rss_kib: Some(peak_rss(&rss_file)?),
            compression: json_string(&json, "compression"),
        })
    }

    /// The peak RSS of dbm commands that do no backup.
    pub fn idle_rss(&self) -> Result<IdleRss, String> {
        let measure = |args: &[&str]| -> Result<u64, String> {
            let rss_file = self.work.join("rss");
            let mut samples = Vec::new();
            for _ in 0..3 {
                let status = Command::new(GNU_TIME)
                    .args(["-f", "%M", "-o"])
                    .arg(&rss_file)
                    .arg(&self.dbm)
                    .args(args)
                    .env("DBM_DATA_DIR", &self.data_dir)
                    .stdout(Stdio::null())
                    .status()
                    .map_err(|e| format!("cannot run {GNU_TIME}: {e}"))?;
                if !status.success() {
                    return Err(format!("dbm {} failed ({status})", args.join(" ")));
                }
                samples.push(peak_rss(&rss_file)?);
            }
            samples.sort_unstable();
            Ok(samples[1])
        };
        Ok(IdleRss {
            backup_list: measure(&["backup", "list"])?,
            version: measure(&["--version"])?,
        })
    }
}

/// pg_dump's connection arguments (the password goes in PGPASSWORD).
fn pg_dump_connection(server: &Server) -> Vec<String> {
    vec![
        "-h".into(),
        server.host.clone(),
        "-p".into(),
        server.port.to_string(),
        "-U".into(),
        server.user.clone(),
    ]
}

fn with_stdin(command: &mut Command, input: &str) -> Result<Output, String> {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|e| format!("writing to {:?}: {e}", command.get_program()))?;
    }
    child
        .wait_with_output()
        .map_err(|e| format!("waiting for {:?}: {e}", command.get_program()))
}

/// A failed command's exit status and the end of what it said.
fn failure(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if text.is_empty() {
        text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    }
    let tail: Vec<&str> = text.lines().rev().take(6).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!("{} — {}", output.status, tail.join(" | "))
}

/// GNU time's `-o` file: a "Command exited…" line on failure, then the number.
fn peak_rss(file: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    text.lines()
        .filter_map(|line| line.trim().parse().ok())
        .next_back()
        .ok_or_else(|| format!("no peak RSS in {}: {text:?}", file.display()))
}

/// Bytes of a file, or of every file under a directory.
fn disk_usage(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| disk_usage(&entry.path()))
                .sum()
        })
        .unwrap_or(0)
}

/// The string value of `"key": "…"` in dbm's JSON (one flat object; enough for the fields read
/// here, without a JSON dependency in xtask).
fn json_string(json: &str, key: &str) -> Option<String> {
    let after_key = &json[json.find(&format!("\"{key}\""))? + key.len() + 2..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let mut chars = value.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Every pg_dump on PATH and in /usr/lib/postgresql/*/bin, with its major.
fn local_pg_dumps() -> Vec<(u32, PathBuf)> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        dirs.extend(entries.filter_map(Result::ok).map(|e| e.path().join("bin")));
    }
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for path in dirs.into_iter().map(|dir| dir.join("pg_dump")) {
        let Ok(real) = std::fs::canonicalize(&path) else {
            continue;
        };
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        let Ok(output) = Command::new(&path).arg("--version").output() else {
            continue;
        };
        // "pg_dump (PostgreSQL) 15.18 (Debian …)"
        let text = String::from_utf8_lossy(&output.stdout);
        let major = text
            .split_whitespace()
            .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .and_then(|v| v.split('.').next()?.parse().ok());
        if let Some(major) = major {
            found.push((major, path));
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_string_fields_of_dbm_json() {
        let json = "{\n  \"id\": 3,\n  \"filePath\": \"/tmp/a \\\"b\\\".dump\",\n  \"errorMessage\": null\n}";
        assert_eq!(
            json_string(json, "filePath").as_deref(),
            Some("/tmp/a \"b\".dump")
        );
        assert_eq!(json_string(json, "errorMessage"), None);
        assert_eq!(json_string(json, "missing"), None);
    }
}
