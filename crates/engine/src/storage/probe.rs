//! `dbm storage test`: write a small object, read it back, delete it, and name the step and
//! the reason when one fails.

use serde::Serialize;
use ts_rs::TS;

use super::model::LocationSettings;
use super::operator::{operator, Patience};
use super::problems::storage_problem;
use crate::model::{Code, Problem};
use crate::secrets::Secret;

/// How a location answered a test.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReport {
    pub ok: bool,
    /// `list`, `write`, `read` and `delete`, each with its outcome, in order, up to the first failure.
    pub steps: Vec<ProbeStep>,
    pub problem: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeStep {
    pub step: String,
    pub ok: bool,
    pub seconds: f64,
}

pub async fn probe(
    settings: &LocationSettings,
    secret: Option<&Secret>,
    installation_id: &str,
) -> ProbeReport {
    let mut steps = Vec::new();
    let problem = run(settings, secret, installation_id, &mut steps)
        .await
        .err();
    ProbeReport {
        ok: problem.is_none(),
        steps,
        problem,
    }
}

async fn run(
    settings: &LocationSettings,
    secret: Option<&Secret>,
    installation_id: &str,
    steps: &mut Vec<ProbeStep>,
) -> Result<(), Problem> {
    let op = operator(settings, secret, Patience::Probe)?;
    let nonce: u64 = rand_nonce();
    let key = format!("{installation_id}/.dbm-test-{nonce:016x}");
    let body = format!("DB Backup Manager storage test {nonce:016x}\n").into_bytes();
    let timed = |steps: &mut Vec<ProbeStep>, step: &str, started: std::time::Instant, ok: bool| {
        steps.push(ProbeStep {
            step: step.into(),
            ok,
            seconds: started.elapsed().as_secs_f64(),
        })
    };

    // Listing first: a server that creates a missing bucket on write still says it is missing.
    let started = std::time::Instant::now();
    let listed = op.list_with(&format!("{installation_id}/")).limit(1).await;
    // An installation folder not made yet is fine; a missing bucket is not.
    let failed = listed
        .err()
        .filter(|e| e.kind() != opendal::ErrorKind::NotFound || is_bucket_error(e));
    timed(steps, "list", started, failed.is_none());
    if let Some(error) = failed {
        return Err(storage_problem(&error, settings));
    }
    super::transfer::ensure_parent(&op, &key)
        .await
        .map_err(|e| storage_problem(&e, settings))?;

    let started = std::time::Instant::now();
    let written = op.write(&key, body.clone()).await;
    timed(steps, "write", started, written.is_ok());
    written.map_err(|e| storage_problem(&e, settings))?;

    let started = std::time::Instant::now();
    let read = op.read(&key).await;
    let same = matches!(&read, Ok(buffer) if buffer.to_vec() == body);
    timed(steps, "read", started, same);
    let read = read.map_err(|e| storage_problem(&e, settings));
    if let Err(problem) = read {
        let _ = op.delete(&key).await;
        return Err(problem);
    }
    if !same {
        let _ = op.delete(&key).await;
        return Err(Problem::new(
            Code::StorageFailed,
            format!(
                "{} gave back other bytes than were written.",
                settings.describe()
            ),
            "The server or a proxy changes what it stores: do not use it for backups.",
        ));
    }

    let started = std::time::Instant::now();
    let deleted = op.delete(&key).await;
    timed(steps, "delete", started, deleted.is_ok());
    deleted.map_err(|e| storage_problem(&e, settings))?;
    Ok(())
}

fn is_bucket_error(error: &opendal::Error) -> bool {
    let text = error.to_string().to_lowercase();
    text.contains("nosuchbucket") || text.contains("bucket does not exist")
}

/// A number no two tests share (time and process id are enough: it names a test object).
fn rand_nonce() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    nanos ^ ((std::process::id() as u64) << 40)
}
