//! A schedule's copies: after each run, its backup goes to every location the schedule lists
//! (encrypted if it says so); once copied everywhere, the local file goes when the schedule
//! keeps none. Then each location's own retention runs.

use std::sync::Arc;

use super::model::Schedule;
use crate::backups::Backup;
use crate::blocking::run_blocking;
use crate::library::{copies, location_scan};
use crate::model::Problem;
use crate::storage::Storage;
use crate::store::Store;

/// What hears of a failed copy of a run's backup: the backup, the location's name, why.
pub type CopyFailed<'a> = &'a (dyn Fn(&Backup, &str, &Problem) + Sync);

pub(super) async fn copy_run(
    store: &Arc<Store>,
    schedule: &Schedule,
    backup: &Backup,
    failed: CopyFailed<'_>,
) {
    if schedule.copies.to.is_empty() {
        return;
    }
    let mut everywhere = true;
    for location_id in &schedule.copies.to {
        let location = match Storage::new(store).get(*location_id) {
            Ok(location) => location,
            Err(_) => continue, // removed since: nothing to copy to
        };
        let copied = copies::copy(
            store.clone(),
            backup.id,
            &location,
            schedule.copies.encrypt,
            &|_| {},
        )
        .await;
        if let Err(problem) = copied {
            everywhere = false;
            failed(backup, &location.name, &problem);
        }
    }
    if everywhere && !schedule.copies.keep_local {
        let lookup = store.clone();
        let made = backup.clone();
        if let Err(problem) = run_blocking(move || copies::remove_local_file(&lookup, &made)).await
        {
            tracing::warn!(backup = backup.id.0, %problem, "the local file stays");
        }
    }
}

pub(super) async fn location_retention(store: &Arc<Store>, schedule: &Schedule) {
    for location_id in &schedule.copies.to {
        let Ok(location) = Storage::new(store).get(*location_id) else {
            continue;
        };
        if let Err(problem) = location_scan::apply_retention(store.clone(), &location).await {
            tracing::warn!(location = %location.name, %problem, "location retention could not run");
        }
    }
}
