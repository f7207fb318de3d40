//! Starts the real app binary through tauri-driver (which drives WebKitWebDriver) and hands
//! the test a WebDriver client. Needs a display and a D-Bus session: run inside
//! `scripts/testenv/session.sh`, as `cargo xtask test` does.
#![allow(dead_code)] // each test binary uses a part

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub struct App {
    pub client: Client,
    driver: Child,
}

/// A port nobody listens on now. Each test gets its own pair, so a driver or WebKitWebDriver
/// still shutting down from the previous test can never answer this one.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The app binary built by the same cargo invocation (`target/debug/dbm-app`).
fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("DBM_APP_BINARY") {
        return PathBuf::from(path);
    }
    debug_binary("dbm-app", "cargo build -p dbm-app")
}

/// The `dbm` command line of the same build (`target/debug/dbm`).
pub fn cli_binary() -> PathBuf {
    debug_binary("dbm", "cargo build -p dbm-cli")
}

fn debug_binary(name: &str, build: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let binary = target.join("debug").join(name);
    assert!(
        binary.is_file(),
        "{} is missing: build it with `{build}` (cargo xtask test does)",
        binary.display()
    );
    std::fs::canonicalize(&binary).unwrap_or(binary)
}

fn tauri_driver() -> PathBuf {
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    match in_cargo_home {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Where the screenshots go: `target/e2e-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("target").join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("create screenshot dir");
    dir
}

impl App {
    /// Launches the app with its state in `data_dir`.
    pub async fn launch(data_dir: &Path) -> App {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests inside scripts/testenv/session.sh"
        );
        let application = app_binary();
        let (driver_port, native_port) = (free_port(), free_port());
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &driver_port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DBM_DATA_DIR", data_dir)
            // To a file, not the test's stderr: the driver's children outlive it by a moment.
            .stdout(Stdio::null())
            .stderr(driver_log())
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver --locked)");
        wait_for_port(driver_port, Duration::from_secs(20));

        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": application.display().to_string() }),
        );
        let client = ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .expect("open a WebDriver session with the app");
        App { client, driver }
    }

    /// Waits for an element to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Saves a connection to `database` on server `major` through the Connections form.
    pub async fn add_connection(&self, name: &str, major: u32, database: &str) {
        let port = std::env::var(format!("DBM_PG{major}_PORT"))
            .unwrap_or_else(|_| (54300 + major).to_string());
        let password = std::env::var("DBM_PG_PASSWORD").unwrap_or_else(|_| "postgres".into());
        self.click("[data-testid=nav-connections]").await;
        self.click("[data-testid=connections-add]").await;
        self.fill("[data-testid=field-name]", name).await;
        self.fill("[data-testid=field-host]", "127.0.0.1").await;
        self.fill("[data-testid=field-port]", &port).await;
        self.fill("[data-testid=field-database]", database).await;
        self.fill("[data-testid=field-username]", "postgres").await;
        self.fill("[data-testid=field-password]", &password).await;
        self.click("[data-testid=form-save]").await;
        self.find(&format!("[data-testid=connection-row][data-name='{name}']"))
            .await;
    }

    /// Clicks Back up now on connection `name`'s row and waits for how it ended
    /// (`completed`, `failed` or `cancelled`).
    pub async fn back_up_now(&self, name: &str) -> String {
        let row = format!("[data-testid=connection-row][data-name='{name}']");
        self.click(&format!("{row} [data-testid=connection-backup]"))
            .await;
        self.wait_for_attr(
            &format!("{row} [data-testid=connection-backup-result]"),
            "data-state",
            &["completed", "failed", "cancelled"],
        )
        .await
    }

    /// Waits until the element's attribute has one of the values, and returns it.
    pub async fn wait_for_attr(&self, css: &str, attr: &str, values: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let value = self.find(css).await.attr(attr).await.ok().flatten();
            if let Some(value) = value.filter(|v| values.contains(&v.as_str())) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{css}[{attr}] never became one of {values:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until no element matches.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .map(|all| all.len())
                .unwrap_or(0);
            if found == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "{css} is still there");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Clicks the element.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Replaces an input's text.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Scrolls the element into the middle of its scroll area (before a screenshot of it).
    #[allow(dead_code)]
    pub async fn scroll_to(&self, css: &str) {
        let element = self.find(css).await;
        let arg = serde_json::to_value(&element).expect("an element as a script argument");
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await
            .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    }

    /// The element's text once it is there.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    /// Saves a PNG of the window under `target/e2e-screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // WebKit may still show the previous frame right after a change.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let png = self.client.screenshot().await.expect("take a screenshot");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("save the screenshot");
        path
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop stops the driver.
    }
}

impl Drop for App {
    /// Also when a test fails half-way: a driver left running would outlive the test.
    fn drop(&mut self) {
        // A test that failed half-way never closed its session, and its app would outlive it:
        // the next test's app would then hand over to it (single instance) and never show.
        for app in descendants(self.driver.id()) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(app.to_string())
                .status();
        }
        // SIGTERM lets tauri-driver stop WebKitWebDriver; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.driver.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The processes below `root` whose program is the app (through WebKitWebDriver), from /proc.
fn descendants(root: u32) -> Vec<u32> {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid …": the name may hold spaces, so read after its ')'.
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    pids.into_iter()
        .filter(|&pid| {
            let mut at = pid;
            for _ in 0..8 {
                match parent_of(at) {
                    Some(parent) if parent == root => return true,
                    Some(parent) if parent > 1 => at = parent,
                    _ => return false,
                }
            }
            false
        })
        .filter(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.trim() == "dbm-app")
        })
        .collect()
}

fn driver_log() -> Stdio {
    let path = workspace_root().join("target").join("tauri-driver.log");
    match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    }
}

fn wait_for_port(port: u16, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
