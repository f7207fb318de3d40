//! Hooks: after each run of a schedule, URLs called (healthchecks.io, Uptime Kuma push, ntfy)
//! and a command run with the run's JSON on stdin. They run after the backup is recorded, each
//! bounded by its timeout, all at once; what they answered is kept on the backup and logged.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::hook_config::Hooks;
use super::model::Schedule;
use crate::backups::{Backup, HookResult};
use crate::model::{BackupStatus, ConnectionId, Problem, ScheduleId};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a failed command's stderr the run keeps.
const MAX_DETAIL_CHARS: usize = 500;

/// What the command hook reads on stdin. Nothing secret: no password, host or user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport<'a> {
    /// `success` or `failure`.
    pub status: &'static str,
    pub schedule_id: ScheduleId,
    pub schedule_name: &'a str,
    pub connection_id: ConnectionId,
    /// The run's record (None when it failed before one was made).
    pub backup: Option<&'a Backup>,
    /// Why it failed.
    pub error: Option<&'a Problem>,
}

impl<'a> RunReport<'a> {
    pub fn new(schedule: &'a Schedule, outcome: &'a Result<Backup, Problem>) -> RunReport<'a> {
        let (backup, error) = match outcome {
            Ok(backup) => (Some(backup), None),
            Err(problem) => (None, Some(problem)),
        };
        let success = backup.is_some_and(|b| b.status == BackupStatus::Completed);
        RunReport {
            status: if success { "success" } else { "failure" },
            schedule_id: schedule.id,
            schedule_name: &schedule.name,
            connection_id: schedule.connection_id,
            backup,
            error,
        }
    }

    /// One line for the ping's body (ntfy shows it, healthchecks.io logs it).
    fn line(&self) -> String {
        match (self.backup, self.error) {
            (Some(backup), _) => format!(
                "{}: backup {} {}{}",
                self.schedule_name,
                backup.id,
                backup.status.as_str(),
                backup
                    .error_message
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
            (None, Some(problem)) => format!("{}: failed: {problem}", self.schedule_name),
            (None, None) => format!("{}: {}", self.schedule_name, self.status),
        }
    }
}

/// Calls every hook of `hooks` for the run, at once; answers what each did.
pub async fn run(hooks: &Hooks, report: &RunReport<'_>) -> Vec<HookResult> {
    let timeout = hooks
        .timeout_seconds
        .map_or(DEFAULT_TIMEOUT, |s| Duration::from_secs(u64::from(s)));
    let success = report.status == "success";
    let body = report.line();
    let mut calls = Vec::new();
    if let Some(url) = &hooks.ping_url {
        calls.push(("ping", url.replace("{status}", report.status)));
    }
    match (success, &hooks.on_success_url, &hooks.on_failure_url) {
        (true, Some(url), _) => calls.push(("on-success", url.replace("{status}", report.status))),
        (false, _, Some(url)) => calls.push(("on-failure", url.replace("{status}", report.status))),
        _ => {}
    }
    let json = serde_json::to_vec(report).unwrap_or_default();
    let urls = futures_util::future::join_all(
        calls
            .into_iter()
            .map(|(hook, url)| call_url(hook, url, body.clone(), timeout)),
    );
    let command = async {
        match &hooks.on_finish_cmd {
            Some(command) => Some(run_command(command, &json, timeout).await),
            None => None,
        }
    };
    let (mut results, command) = tokio::join!(urls, command);
    results.extend(command);
    for result in &results {
        if result.ok {
            tracing::info!(hook = result.hook, detail = %result.detail, "hook done");
        } else {
            tracing::warn!(hook = result.hook, target = %result.target, detail = %result.detail, "hook failed");
        }
    }
    results
}

/// POSTs the run's line to `url` (healthchecks.io, Uptime Kuma and ntfy all take a POST).
async fn call_url(hook: &'static str, url: String, body: String, timeout: Duration) -> HookResult {
    let started = Instant::now();
    let target = url.clone();
    let call = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .provider(ureq::tls::TlsProvider::NativeTls)
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build()
            .into();
        agent
            .post(&url)
            .header("Content-Type", "text/plain; charset=utf-8")
            .send(body.as_bytes())
            .map(|response| response.status().as_u16())
    });
    // ureq's own timeout ends the call; this one bounds a resolver that ignores it.
    let answered = tokio::time::timeout(timeout + Duration::from_secs(1), call).await;
    let (ok, detail) = match answered {
        Ok(Ok(Ok(status))) => ((200..300).contains(&status), format!("HTTP {status}")),
        Ok(Ok(Err(ureq::Error::Timeout(_)))) | Err(_) => (false, timed_out(timeout)),
        Ok(Ok(Err(error))) => (false, error.to_string()),
        Ok(Err(error)) => (false, format!("the call did not finish: {error}")),
    };
    HookResult {
        hook: hook.to_string(),
        target,
        ok,
        detail,
        seconds: seconds(started),
    }
}

/// Runs `command` with `sh -c`, the run's JSON on its stdin; killed at the timeout.
async fn run_command(command: &str, json: &[u8], timeout: Duration) -> HookResult {
    let started = Instant::now();
    let result = |ok, detail: String| HookResult {
        hook: "on-finish".to_string(),
        target: command.to_string(),
        ok,
        detail,
        seconds: seconds(started),
    };
    let spawned = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => return result(false, format!("could not start sh: {error}")),
    };
    let mut stdin = child.stdin.take();
    let mut stderr = child.stderr.take();
    let finished = tokio::time::timeout(timeout, async {
        if let Some(stdin) = stdin.as_mut() {
            // A command that does not read its input is fine: a closed pipe is not a failure.
            let _ = stdin.write_all(json).await;
        }
        drop(stdin.take());
        let mut said = Vec::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_end(&mut said).await;
        }
        (child.wait().await, said)
    })
    .await;
    match finished {
        Ok((Ok(status), _)) if status.success() => result(true, "exit status 0".into()),
        Ok((Ok(status), said)) => {
            let said = String::from_utf8_lossy(&said);
            let said = tail(said.trim(), MAX_DETAIL_CHARS);
            let code = status.code().map_or_else(
                || "ended by a signal".to_string(),
                |c| format!("exit status {c}"),
            );
            result(
                false,
                if said.is_empty() {
                    code
                } else {
                    format!("{code}: {said}")
                },
            )
        }
        Ok((Err(error), _)) => result(false, format!("could not wait for it: {error}")),
        // Dropping the future dropped the child: kill_on_drop ends it.
        Err(_) => result(false, timed_out(timeout)),
    }
}

fn timed_out(timeout: Duration) -> String {
    format!(
        "timed out after {}",
        crate::time::human_duration(timeout.as_secs())
    )
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_millis() as f64 / 1000.0
}

/// The last `max` characters of `text`.
fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(max)).collect()
}
