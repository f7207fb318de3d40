//! The injections: each starts a real backup of the ~200 MB database and strikes at a random
//! moment within it, then restarts (the next `dbm` that runs backups) and reads the figures.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::audit::{self, Figures};
use crate::dbm::{DataDir, BIG};
use crate::server::{self, Server};
use crate::{fail, Result, Rng};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    KillCli,
    KillDaemon,
    KillApp,
    TerminateBackend,
    ServerRestart,
    ContainerKilled,
    DockerRestart,
    DiskFull,
    ReadOnly,
    SqliteLocked,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::KillCli => "kill -9 dbm backup run",
            Kind::KillDaemon => "kill -9 dbm daemon",
            Kind::KillApp => "kill -9 the app",
            Kind::TerminateBackend => "pg_terminate_backend",
            Kind::ServerRestart => "server restart",
            Kind::ContainerKilled => "dump container killed",
            Kind::DockerRestart => "Docker daemon stopped",
            Kind::DiskFull => "backup root fills (tmpfs)",
            Kind::ReadOnly => "backup root made read-only",
            Kind::SqliteLocked => "SQLite locked 10 s",
        }
    }
}

/// What one injection left.
pub struct Outcome {
    pub figures: Figures,
    /// The restart's own backup did not complete.
    pub restart_failed: bool,
}

pub struct Context<'a> {
    pub server: &'a Server,
    pub base: PathBuf,
    /// How long a backup of the big database takes here, measured first.
    pub window: Duration,
    pub app: PathBuf,
}

/// Runs one injection of `kind` in `data` and reads the figures after the restart.
pub fn run(context: &Context, data: &DataDir, kind: Kind, rng: &mut Rng) -> Result<Outcome> {
    let known = audit::known(data);
    let at = context.window.mul_f64(0.1 + 0.85 * rng.unit());
    match kind {
        Kind::KillCli => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            kill_after(child, at);
        }
        Kind::KillDaemon => {
            let child = data.spawn(&["daemon"])?;
            // The schedule fires every 3 s: strike while its backup runs.
            kill_after(child, Duration::from_millis(3200) + at);
            let again = data.spawn(&["daemon"])?;
            std::thread::sleep(Duration::from_millis(1500));
            terminate(again);
        }
        Kind::KillApp => {
            let child = spawn_app(&context.app, data)?;
            kill_group_after(child, Duration::from_millis(4000) + at);
        }
        Kind::TerminateBackend => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            wait_for_dump(context.server, Duration::from_secs(20));
            std::thread::sleep(at.mul_f64(0.8));
            let struck = context.server.terminate_dumps();
            finish(child);
            struck?;
        }
        Kind::ServerRestart => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            wait_for_dump(context.server, Duration::from_secs(20));
            std::thread::sleep(at.mul_f64(0.8));
            let struck = context.server.restart();
            finish(child);
            struck?;
        }
        Kind::ContainerKilled => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            std::thread::sleep(at);
            kill_dump_containers(data.docker_host.as_deref());
            finish(child);
        }
        Kind::DockerRestart => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            std::thread::sleep(at);
            let docker = PrivateDocker::at(&context.base);
            docker.stop();
            finish(child);
            docker.start_again()?;
        }
        Kind::DiskFull => {
            // The root is a tmpfs far smaller than the dump (made when the data dir was).
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            finish(child);
        }
        Kind::ReadOnly => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            std::thread::sleep(at);
            // Immutable (chattr +i on an ext4 of its own): no file or folder there can be
            // made, renamed or removed, as on a disk remounted read-only, while the files
            // pg_dump has open stay open (a remount would refuse: "mount point is busy").
            let struck = chattr(&data.root, "+i");
            finish(child);
            struck?;
            chattr(&data.root, "-i")?;
        }
        Kind::SqliteLocked => {
            let child = data.spawn(&["backup", "run", BIG, "--json"])?;
            std::thread::sleep(at);
            let lock = lock_sqlite(&data.dir.join("dbm.sqlite3"), 10);
            finish(child);
            let _ = lock?.wait_with_output();
        }
    }
    let restart = data.restart();
    let figures = audit::figures(data, &known);
    Ok(Outcome {
        figures,
        restart_failed: !restart.status.success(),
    })
}

fn kill_after(mut child: Child, after: Duration) {
    std::thread::sleep(after);
    let _ = child.kill();
    let _ = child.wait();
}

fn terminate(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Waits for the victim to end by itself (at most two minutes).
fn finish(mut child: Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn wait_for_dump(server: &Server, at_most: Duration) {
    let deadline = Instant::now() + at_most;
    while Instant::now() < deadline && !server.dump_connected() {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The app in a process group of its own (its WebKit helpers go with it).
pub fn spawn_app(app: &Path, data: &DataDir) -> Result<Child> {
    let log = std::fs::File::create(
        data.logs
            .join(format!("app-{}.log", chrono::Utc::now().timestamp_millis())),
    )
    .map_err(|e| fail(e.to_string()))?;
    let err = log.try_clone().map_err(|e| fail(e.to_string()))?;
    let mut command = Command::new(app);
    command
        .env("DBM_DATA_DIR", &data.dir)
        .env("DBM_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .process_group(0);
    if let Some(host) = &data.docker_host {
        command.env("DOCKER_HOST", host);
    }
    command.spawn().map_err(|e| fail(format!("the app: {e}")))
}

pub fn kill_group_after(mut child: Child, after: Duration) {
    std::thread::sleep(after);
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

fn kill_dump_containers(docker_host: Option<&str>) {
    let mut list = Command::new("docker");
    if let Some(host) = docker_host {
        list.env("DOCKER_HOST", host);
    }
    let ids = list
        .args(["ps", "-q", "--filter", "label=dev.dbm.role=pg_dump"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    for id in ids.lines() {
        let mut kill = Command::new("docker");
        if let Some(host) = docker_host {
            kill.env("DOCKER_HOST", host);
        }
        let _ = kill.args(["kill", id]).output();
    }
}

fn chattr(dir: &Path, flag: &str) -> Result<()> {
    let status = Command::new("chattr")
        .args(["-R", flag])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .map_err(|e| fail(e.to_string()))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| fail(format!("chattr {flag} {}", dir.display())))
}

/// An ext4 file system of `megabytes` in `image`, mounted at `dir` (root only).
pub fn mount_ext4(image: &Path, dir: &Path, megabytes: u64) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let file = std::fs::File::create(image).map_err(|e| fail(e.to_string()))?;
    file.set_len(megabytes << 20)
        .map_err(|e| fail(e.to_string()))?;
    let made = Command::new("mkfs.ext4")
        .args(["-q", "-F"])
        .arg(image)
        .status()
        .map_err(|e| fail(e.to_string()))?;
    let mounted = made.success()
        && Command::new("mount")
            .args(["-o", "loop"])
            .arg(image)
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
    mounted
        .then_some(())
        .ok_or_else(|| fail(format!("mount an ext4 image at {}", dir.display())))
}

/// A tmpfs of `megabytes` at `dir` (root only).
pub fn mount_tmpfs(dir: &Path, megabytes: u64) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
        .arg(dir)
        .status()
        .map_err(|e| fail(e.to_string()))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| fail(format!("mount a tmpfs at {}", dir.display())))
}

pub fn unmount(dir: &Path) {
    let _ = Command::new("umount")
        .arg("-l")
        .arg(dir)
        .stderr(Stdio::null())
        .status();
}

/// Another process holding SQLite's write lock on the app's database for `seconds`.
fn lock_sqlite(path: &Path, seconds: u32) -> Result<Child> {
    let script = format!(
        "import sqlite3, time\nc = sqlite3.connect({:?}, isolation_level=None, timeout=30)\n\
         c.execute('BEGIN EXCLUSIVE')\ntime.sleep({seconds})\nc.execute('ROLLBACK')\n",
        path.display().to_string()
    );
    Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("python3: {e}")))
}

/// A Docker daemon of the campaign's own (socket, data and state in its folder), with
/// `postgres:17` loaded, so stopping it disturbs nothing else.
pub struct PrivateDocker {
    dir: PathBuf,
}

impl PrivateDocker {
    pub fn socket(base: &Path) -> String {
        format!("unix://{}", base.join("docker/docker.sock").display())
    }

    pub fn start(base: &Path) -> Result<PrivateDocker> {
        let docker = PrivateDocker {
            dir: base.join("docker"),
        };
        std::fs::create_dir_all(&docker.dir).map_err(|e| fail(e.to_string()))?;
        docker.start_again()?;
        let image = format!("postgres:{}", server::MAJOR);
        let loaded = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "docker save {image} | DOCKER_HOST={} docker load",
                Self::socket(base)
            ))
            .output()
            .map_err(|e| fail(e.to_string()))?;
        if !loaded.status.success() {
            return Err(fail(format!(
                "loading {image} into the private daemon: {}",
                String::from_utf8_lossy(&loaded.stderr)
            )));
        }
        Ok(docker)
    }

    pub fn at(base: &Path) -> PrivateDocker {
        PrivateDocker {
            dir: base.join("docker"),
        }
    }

    fn start_again(&self) -> Result<()> {
        let base = self.dir.parent().unwrap_or(Path::new("/"));
        let log =
            std::fs::File::create(self.dir.join("dockerd.log")).map_err(|e| fail(e.to_string()))?;
        Command::new("dockerd")
            .arg("--host")
            .arg(Self::socket(base))
            .arg("--data-root")
            .arg(self.dir.join("root"))
            .arg("--exec-root")
            .arg(self.dir.join("exec"))
            .arg("--pidfile")
            .arg(self.dir.join("dockerd.pid"))
            .args([
                "--iptables=false",
                "--ip-masq=false",
                "--bridge=none",
                "--shutdown-timeout=2",
            ])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| fail(format!("dockerd: {e}")))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let up = Command::new("docker")
                .env("DOCKER_HOST", Self::socket(base))
                .arg("info")
                .output()
                .is_ok_and(|o| o.status.success());
            if up {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(fail("the private dockerd did not start"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn stop(&self) {
        let pid = std::fs::read_to_string(self.dir.join("dockerd.pid")).unwrap_or_default();
        let pid = pid.trim();
        if pid.is_empty() {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
