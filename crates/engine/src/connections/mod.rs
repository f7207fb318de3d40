//! Saved connections: stored in SQLite, their passwords in the OS keyring, tested against the
//! server, which also tells its version.

pub mod databases;
mod model;
mod password_source;
pub mod pgpass;
mod repository;
mod uri;

pub use databases::DatabaseChoice;
pub use model::{
    parse_port, validate_host, validate_name, Connection, ConnectionFields, ConnectionInput, Scope,
    MAX_NAME_CHARS,
};
pub use password_source::PasswordSource;
pub use uri::{parse_uri, to_uri, ParsedUri};

use std::time::Duration;

use crate::blocking::run_blocking;
use crate::model::{ConnectionId, Problem};
use crate::pg::{self, ConnectTarget, ServerVersion};
use crate::secrets::{PasswordStore, Secret};
use crate::store::Store;

/// What to do with a connection's saved password on update.
#[derive(Debug, Clone)]
pub enum PasswordChange {
    Keep,
    Set(Secret),
    Remove,
}

/// The engine's connection operations over one data dir.
pub struct Connections<'a> {
    store: &'a Store,
}

impl<'a> Connections<'a> {
    pub fn new(store: &'a Store) -> Self {
        Connections { store }
    }

    fn passwords(&self) -> Result<PasswordStore, Problem> {
        Ok(PasswordStore::new(self.store.installation_id()?))
    }

    pub fn list(&self) -> Result<Vec<Connection>, Problem> {
        repository::list(&self.store.connection())
    }

    pub fn get(&self, id: ConnectionId) -> Result<Connection, Problem> {
        repository::get(&self.store.connection(), id)
    }

    /// By name, or by id.
    pub fn find(&self, reference: &str) -> Result<Connection, Problem> {
        repository::find(&self.store.connection(), reference)
    }

    /// Saves a new connection; its password, if any, goes to the keyring. When the keyring
    /// refuses, nothing is saved. The keyring is called with the store unlocked (it may wait on
    /// an unlock prompt), and the row it belongs to is undone when it fails.
    pub fn create(
        &self,
        input: &ConnectionInput,
        password: Option<&Secret>,
    ) -> Result<Connection, Problem> {
        let fields = input.validate()?;
        let passwords = self.passwords()?;
        let id = repository::insert(&self.store.connection(), &fields)?;
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            if let Err(problem) = passwords.set(id, password) {
                if let Err(undo) = repository::delete(&self.store.connection(), id) {
                    tracing::warn!(connection = id.0, %undo, "could not undo a connection whose password was refused");
                }
                return Err(problem);
            }
        }
        tracing::info!(connection = id.0, "connection saved");
        repository::get(&self.store.connection(), id)
    }

    /// Changes the fields; the password only as asked. When the keyring refuses, nothing
    /// changes: the fields are put back as they were.
    pub fn update(
        &self,
        id: ConnectionId,
        input: &ConnectionInput,
        password: PasswordChange,
    ) -> Result<Connection, Problem> {
        let fields = input.validate()?;
        let passwords = self.passwords()?;
        let before = self.get(id)?;
        repository::update(&self.store.connection(), id, &fields)?;
        let changed = match password {
            PasswordChange::Keep => Ok(()),
            PasswordChange::Set(password) if !password.is_empty() => passwords.set(id, &password),
            PasswordChange::Set(_) | PasswordChange::Remove => passwords.delete(id),
        };
        if let Err(problem) = changed {
            if let Err(undo) = repository::put_back(&self.store.connection(), &before) {
                tracing::warn!(connection = id.0, %undo, "could not put a connection back after the keyring refused");
            }
            return Err(problem);
        }
        tracing::info!(connection = id.0, "connection updated");
        repository::get(&self.store.connection(), id)
    }

    /// Saves a new connection with the password from where the form says.
    pub fn create_from(
        &self,
        input: &ConnectionInput,
        source: &PasswordSource,
    ) -> Result<Connection, Problem> {
        let password = match source.resolve(&input.validate()?)? {
            PasswordChange::Set(password) => Some(password),
            PasswordChange::Keep | PasswordChange::Remove => None,
        };
        self.create(input, password.as_ref())
    }

    /// Updates a connection with the password from where the form says.
    pub fn update_from(
        &self,
        id: ConnectionId,
        input: &ConnectionInput,
        source: &PasswordSource,
    ) -> Result<Connection, Problem> {
        let change = source.resolve(&input.validate()?)?;
        self.update(id, input, change)
    }

    /// Deletes the connection and its keyring entry together.
    pub fn delete(&self, id: ConnectionId) -> Result<(), Problem> {
        self.without_password(id, |sql| repository::delete(sql, id))?;
        tracing::info!(connection = id.0, "connection deleted");
        Ok(())
    }

    /// Removes the connection but keeps its backups' records (listed under its name); its
    /// schedules go.
    pub fn retire(&self, id: ConnectionId) -> Result<(), Problem> {
        self.without_password(id, |sql| repository::retire(sql, id))?;
        tracing::info!(
            connection = id.0,
            "connection removed; its backups are kept"
        );
        Ok(())
    }

    /// Takes the password out of the keyring (outside the store's lock: the keyring may wait on
    /// a prompt), then changes the row; when the row cannot change, the password is put back.
    fn without_password(
        &self,
        id: ConnectionId,
        change: impl FnOnce(&mut rusqlite::Connection) -> Result<(), Problem>,
    ) -> Result<(), Problem> {
        let passwords = self.passwords()?;
        self.get(id)?;
        let saved = passwords.get(id)?;
        passwords.delete(id)?;
        let changed = change(&mut self.store.connection());
        if changed.is_err() {
            if let Some(saved) = &saved {
                if let Err(undo) = passwords.set(id, saved) {
                    tracing::warn!(connection = id.0, %undo, "could not put a password back after the connection could not change");
                }
            }
        }
        changed
    }

    /// The saved password (from the keyring), if any.
    pub fn password(&self, id: ConnectionId) -> Result<Option<Secret>, Problem> {
        self.passwords()?.get(id)
    }

    /// Where to connect for a saved connection, with its password from the keyring.
    pub fn target(&self, id: ConnectionId, timeout: Duration) -> Result<ConnectTarget, Problem> {
        let connection = self.get(id)?;
        Ok(target_of(&connection, self.password(id)?, timeout))
    }

    /// Records the version a test found.
    pub fn set_server_version(
        &self,
        id: ConnectionId,
        version: &ServerVersion,
    ) -> Result<(), Problem> {
        repository::set_server_version(
            &self.store.connection(),
            id,
            &version.version,
            version.major,
        )
    }
}

/// Where to connect for a saved connection, with its password from the keyring.
pub fn target_of(
    connection: &Connection,
    password: Option<Secret>,
    timeout: Duration,
) -> ConnectTarget {
    ConnectTarget {
        host: connection.host.clone(),
        port: connection.port,
        database: connection.database.clone(),
        username: connection.username.clone(),
        sslmode: connection.sslmode,
        password,
        timeout,
        application_name: pg::APPLICATION_NAME.to_string(),
    }
}

/// Where to connect for fields typed in a form, before they are saved.
pub fn target_of_input(
    input: &ConnectionInput,
    password: Option<Secret>,
    timeout: Duration,
) -> Result<ConnectTarget, Problem> {
    let fields = input.validate()?;
    Ok(ConnectTarget {
        host: fields.host,
        port: fields.port,
        database: fields.database,
        username: fields.username,
        sslmode: fields.sslmode,
        password,
        timeout,
        application_name: pg::APPLICATION_NAME.to_string(),
    })
}

/// Tests what a form holds before it is saved: the password from where the form says, or
/// (`Keep` with the id of a saved connection) the saved one.
pub async fn test_input(
    store: std::sync::Arc<Store>,
    input: ConnectionInput,
    password: PasswordSource,
    saved: Option<ConnectionId>,
    timeout: Duration,
) -> Result<ServerVersion, Problem> {
    let target = form_target(store, input, password, saved, timeout).await?;
    test_target(&target).await
}

/// Connects and reads the server's version.
pub async fn test_target(target: &ConnectTarget) -> Result<ServerVersion, Problem> {
    let client = pg::connect(target).await?;
    pg::detect_server_version(&client).await
}

/// Where a form's fields connect: the password from where the form says, or (`Keep` with the
/// id of a saved connection) the saved one.
async fn form_target(
    store: std::sync::Arc<Store>,
    input: ConnectionInput,
    password: PasswordSource,
    saved: Option<ConnectionId>,
    timeout: Duration,
) -> Result<ConnectTarget, Problem> {
    run_blocking(move || {
        let fields = input.validate()?;
        let password = match (password.resolve(&fields)?, saved) {
            (PasswordChange::Set(password), _) => Some(password),
            (PasswordChange::Keep, Some(id)) => Connections::new(&store).password(id)?,
            (PasswordChange::Keep | PasswordChange::Remove, _) => None,
        };
        target_of_input(&input, password, timeout)
    })
    .await
}

/// What a run of a saved whole-server connection would take now.
pub async fn databases(
    store: std::sync::Arc<Store>,
    id: ConnectionId,
    timeout: Duration,
) -> Result<Vec<DatabaseChoice>, Problem> {
    let (target, scope) = run_blocking(move || {
        let connections = Connections::new(&store);
        let connection = connections.get(id)?;
        Ok((connections.target(id, timeout)?, connection.scope))
    })
    .await?;
    databases::choices(&target, &scope).await
}

/// What a form's whole-server connection would take, before it is saved (the password as for
/// `test_input`).
pub async fn databases_of_input(
    store: std::sync::Arc<Store>,
    input: ConnectionInput,
    password: PasswordSource,
    saved: Option<ConnectionId>,
    timeout: Duration,
) -> Result<Vec<DatabaseChoice>, Problem> {
    let scope = input.scope.validate()?;
    let target = form_target(store, input, password, saved, timeout).await?;
    databases::choices(&target, &scope).await
}

/// Tests a saved connection and stores the version found. Blocking store and keyring calls
/// run off the async runtime.
pub async fn test_saved(
    store: std::sync::Arc<Store>,
    id: ConnectionId,
    timeout: Duration,
) -> Result<ServerVersion, Problem> {
    let lookup_store = store.clone();
    let target = run_blocking(move || Connections::new(&lookup_store).target(id, timeout)).await?;
    let version = test_target(&target).await?;
    let found = version.clone();
    run_blocking(move || Connections::new(&store).set_server_version(id, &found)).await?;
    Ok(version)
}
