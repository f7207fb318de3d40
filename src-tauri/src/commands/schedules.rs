//! Schedules: list, create, update, delete, pause and resume (one or all), run now, preview,
//! missed runs, and where the scheduler runs.

use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use dbm_app_command::command;
use dbm_engine::backups::Backup;
use dbm_engine::blocking::run_blocking;
use dbm_engine::model::{ScheduleId, Trigger};
use dbm_engine::schedules::{self, MissedRun, Schedule, ScheduleInput, SchedulePreview, Schedules};

use crate::error::AppError;
use crate::events::{self, AppEvent, SchedulesEvent, TauriProgress};
use crate::scheduling;
use crate::state::AppState;

#[command]
pub async fn schedule_list(state: State<'_, AppState>) -> Result<Vec<Schedule>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Schedules::new(&store).list()).await?)
}

#[command]
pub async fn schedule_get(
    state: State<'_, AppState>,
    id: ScheduleId,
) -> Result<Schedule, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Schedules::new(&store).get(id)).await?)
}

#[command]
pub async fn schedule_create(
    app: AppHandle,
    state: State<'_, AppState>,
    input: ScheduleInput,
) -> Result<Schedule, AppError> {
    let store = state.store()?;
    let created = run_blocking(move || Schedules::new(&store).create(&input)).await?;
    scheduling::changed(&app);
    Ok(created)
}

#[command]
pub async fn schedule_update(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ScheduleId,
    input: ScheduleInput,
) -> Result<Schedule, AppError> {
    let store = state.store()?;
    let updated = run_blocking(move || Schedules::new(&store).update(id, &input)).await?;
    scheduling::changed(&app);
    Ok(updated)
}

#[command]
pub async fn schedule_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ScheduleId,
) -> Result<(), AppError> {
    let store = state.store()?;
    run_blocking(move || Schedules::new(&store).delete(id)).await?;
    scheduling::changed(&app);
    Ok(())
}

#[command]
pub async fn schedule_pause(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ScheduleId,
) -> Result<Schedule, AppError> {
    let store = state.store()?;
    let paused = run_blocking(move || Schedules::new(&store).pause(id)).await?;
    scheduling::changed(&app);
    Ok(paused)
}

#[command]
pub async fn schedule_resume(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ScheduleId,
) -> Result<Schedule, AppError> {
    let store = state.store()?;
    let resumed = run_blocking(move || Schedules::new(&store).resume(id)).await?;
    scheduling::changed(&app);
    Ok(resumed)
}

/// Runs one backup of the schedule now (queued behind a running one of its connection) and
/// answers with its record when it ends.
#[command]
pub async fn schedule_run_now(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ScheduleId,
) -> Result<Backup, AppError> {
    let store = state.store()?;
    let lookup = store.clone();
    let (schedule, (name, notify)) = run_blocking(move || {
        let schedule = Schedules::new(&lookup).get(id)?;
        let notice = events::notice_for(&lookup, schedule.connection_id, &schedule.name);
        Ok((schedule, notice))
    })
    .await?;
    let progress = std::sync::Arc::new(TauriProgress { app: app.clone() });
    let backup = schedules::run_schedule(
        store,
        &state.coordinator,
        schedule,
        Trigger::Manual,
        progress,
    )
    .await?;
    events::finished(&app, &backup, &name, notify);
    events::publish(&app, AppEvent::Schedules(SchedulesEvent::Changed));
    Ok(backup)
}

#[command]
pub async fn schedule_missed(
    state: State<'_, AppState>,
    id: ScheduleId,
) -> Result<Vec<MissedRun>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Schedules::new(&store).missed(id, 50)).await?)
}

/// The next runs of a pattern in its zone (RFC 3339 with the zone's offset) and its plain words.
#[command]
pub async fn schedule_preview(
    pattern: String,
    timezone: String,
    count: Option<u32>,
) -> Result<SchedulePreview, AppError> {
    Ok(schedules::preview(
        &pattern,
        &timezone,
        count.unwrap_or(5) as usize,
        None,
    )?)
}

/// Where schedules run and whether they are all paused.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerStatus {
    /// The scheduler runs in this app.
    pub running_here: bool,
    /// Why it does not (e.g. `dbm daemon` runs it for this data folder).
    pub note: Option<String>,
    pub all_paused: bool,
}

#[command]
pub async fn scheduler_status(state: State<'_, AppState>) -> Result<SchedulerStatus, AppError> {
    let store = state.store()?;
    let all_paused = run_blocking(move || Schedules::new(&store).all_paused()).await?;
    Ok(SchedulerStatus {
        running_here: state.scheduler_slot().is_some(),
        note: state.scheduler_note(),
        all_paused,
    })
}

/// Pauses or resumes every schedule (the tray's Pause schedules).
#[command]
pub async fn schedules_set_paused(
    app: AppHandle,
    state: State<'_, AppState>,
    paused: bool,
) -> Result<SchedulerStatus, AppError> {
    let store = state.store()?;
    run_blocking(move || Schedules::new(&store).set_all_paused(paused)).await?;
    scheduling::changed(&app);
    scheduler_status(state).await
}
