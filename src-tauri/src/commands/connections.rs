//! Saved connections: list, create, update, delete, test, import from a URI or ~/.pgpass.

use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use dbm_app_command::command;
use dbm_engine::blocking::run_blocking;
use dbm_engine::connections::{
    self, parse_uri, pgpass::PgpassEntry, Connection, ConnectionInput, Connections, DatabaseChoice,
    PasswordSource,
};
use dbm_engine::library::connection_removal::{self, RemovalPreview, Removed};
use dbm_engine::model::ConnectionId;
use dbm_engine::pg::{ServerVersion, DEFAULT_CONNECT_TIMEOUT};

use crate::error::AppError;
use crate::events::{self, AppEvent};
use crate::state::AppState;

#[command]
pub async fn connection_list(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Connections::new(&store).list()).await?)
}

#[command]
pub async fn connection_get(
    state: State<'_, AppState>,
    id: ConnectionId,
) -> Result<Connection, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || Connections::new(&store).get(id)).await?)
}

#[command]
pub async fn connection_create(
    app: AppHandle,
    state: State<'_, AppState>,
    input: ConnectionInput,
    password: PasswordSource,
) -> Result<Connection, AppError> {
    let store = state.store()?;
    let created =
        run_blocking(move || Connections::new(&store).create_from(&input, &password)).await?;
    events::publish(&app, AppEvent::ConnectionsChanged);
    Ok(created)
}

#[command]
pub async fn connection_update(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ConnectionId,
    input: ConnectionInput,
    password: PasswordSource,
) -> Result<Connection, AppError> {
    let store = state.store()?;
    let updated =
        run_blocking(move || Connections::new(&store).update_from(id, &input, &password)).await?;
    events::publish(&app, AppEvent::ConnectionsChanged);
    Ok(updated)
}

/// Removes a connection; its backups stay listed unless `delete_backups`.
#[command]
pub async fn connection_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ConnectionId,
    delete_backups: bool,
) -> Result<Removed, AppError> {
    let store = state.store()?;
    let removed =
        run_blocking(move || connection_removal::remove(&store, id, delete_backups)).await?;
    // Its schedules went with it; the tray's menu lists connections.
    crate::scheduling::changed(&app);
    Ok(removed)
}

/// What removing a connection would touch: its backups and their bytes, for the confirmation.
#[command]
pub async fn connection_removal_preview(
    state: State<'_, AppState>,
    id: ConnectionId,
) -> Result<RemovalPreview, AppError> {
    let store = state.store()?;
    Ok(run_blocking(move || connection_removal::preview(&store, id)).await?)
}

/// Tests a saved connection and stores the version it found.
#[command]
pub async fn connection_test(
    state: State<'_, AppState>,
    id: ConnectionId,
) -> Result<ServerVersion, AppError> {
    let store = state.store()?;
    Ok(connections::test_saved(store, id, DEFAULT_CONNECT_TIMEOUT).await?)
}

/// Tests what the form holds, before saving. With `Keep` and an id, the saved password is used.
#[command]
pub async fn connection_test_input(
    state: State<'_, AppState>,
    input: ConnectionInput,
    password: PasswordSource,
    id: Option<ConnectionId>,
) -> Result<ServerVersion, AppError> {
    let store = state.store()?;
    Ok(connections::test_input(store, input, password, id, DEFAULT_CONNECT_TIMEOUT).await?)
}

/// What a run of the form's whole-server connection would take now (the live list under
/// "All databases on this server"), before saving.
#[command]
pub async fn connection_databases_input(
    state: State<'_, AppState>,
    input: ConnectionInput,
    password: PasswordSource,
    id: Option<ConnectionId>,
) -> Result<Vec<DatabaseChoice>, AppError> {
    let store = state.store()?;
    Ok(
        connections::databases_of_input(store, input, password, id, DEFAULT_CONNECT_TIMEOUT)
            .await?,
    )
}

/// A pasted URI, as form fields. The password stays out of the answer: save with
/// `{ kind: "uri", uri }` to take it from the URI.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UriImport {
    pub input: ConnectionInput,
    pub has_password: bool,
}

#[command]
pub async fn connection_parse_uri(uri: String) -> Result<UriImport, AppError> {
    let parsed = parse_uri(&uri)?;
    Ok(UriImport {
        input: parsed.input,
        has_password: parsed.password.is_some(),
    })
}

#[command]
pub async fn connection_pgpass_entries() -> Result<Vec<PgpassEntry>, AppError> {
    Ok(run_blocking(|| Ok(connections::pgpass::entries())).await?)
}
