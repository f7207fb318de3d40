//! Who runs when: at most one backup per connection at a time and a global limit (default 2);
//! the rest wait their turn in order. Running backups can be cancelled by id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, Semaphore};
use tokio_util::sync::CancellationToken;

use super::begin::BackupRequest;
use super::model::Backup;
use super::progress::Progress;
use super::run::run_backup;

use crate::model::{BackupId, Code, ConnectionId, Problem};
use crate::store::Store;

pub const DEFAULT_CONCURRENCY: usize = 2;

/// A connection's turn and a global slot, held until dropped.
pub struct Turn {
    _gate: tokio::sync::OwnedMutexGuard<()>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

pub struct Coordinator {
    global: Arc<Semaphore>,
    per_connection: Mutex<HashMap<ConnectionId, Arc<AsyncMutex<()>>>>,
    running: Arc<Mutex<HashMap<BackupId, CancellationToken>>>,
}

impl Default for Coordinator {
    fn default() -> Self {
        Coordinator::new(DEFAULT_CONCURRENCY)
    }
}

impl Coordinator {
    pub fn new(concurrency: usize) -> Self {
        Coordinator {
            global: Arc::new(Semaphore::new(concurrency.max(1))),
            per_connection: Mutex::new(HashMap::new()),
            running: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn connection_gate(&self, id: ConnectionId) -> Arc<AsyncMutex<()>> {
        let mut gates = self
            .per_connection
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        gates.entry(id).or_default().clone()
    }

    /// Runs the backup when its connection is free and a slot is open.
    pub async fn run(
        &self,
        store: Arc<Store>,
        request: BackupRequest,
        progress: Arc<dyn Progress>,
    ) -> Result<Backup, Problem> {
        let gate = self.connection_gate(request.connection);
        let _connection_turn = gate.lock().await;
        let _slot = self.global.clone().acquire_owned().await.map_err(|_| {
            Problem::new(
                Code::ShuttingDown,
                "The app is shutting down.",
                "Start the backup again after restart.",
            )
        })?;
        let cancel = CancellationToken::new();
        let registering = Arc::new(Registering {
            inner: progress,
            running: self.running.clone(),
            cancel: cancel.clone(),
            id: Mutex::new(None),
        });
        let result = run_backup(store, request, registering.clone(), cancel).await;
        if let Some(id) = *registering.id.lock().unwrap_or_else(|p| p.into_inner()) {
            self.running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        }
        result
    }

    /// Holds the connection's turn and a slot for other work on it (a proof restoring its
    /// newest backup): backups of it wait until the turn is dropped.
    pub async fn exclusive(&self, connection: ConnectionId) -> Result<Turn, Problem> {
        let gate = self.connection_gate(connection).lock_owned().await;
        let slot = self.global.clone().acquire_owned().await.map_err(|_| {
            Problem::new(
                Code::ShuttingDown,
                "The app is shutting down.",
                "It runs again after restart.",
            )
        })?;
        Ok(Turn {
            _gate: gate,
            _slot: slot,
        })
    }

    /// True while a backup of the connection runs or waits for a slot in this process.
    pub fn is_busy(&self, connection: ConnectionId) -> bool {
        self.connection_gate(connection).try_lock().is_err()
    }

    /// Refuses new runs (those waiting in the queue end with `shutting_down`) and cancels
    /// the running ones: the app quits or `dbm daemon` stops.
    pub fn shut_down(&self) {
        self.global.close();
        self.cancel_all();
    }

    /// Cancels a running backup; false when it is not running (finished, or never was).
    pub fn cancel(&self, id: BackupId) -> bool {
        match self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
        {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels every running backup (quitting the app).
    pub fn cancel_all(&self) {
        for token in self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            token.cancel();
        }
    }

    pub fn running(&self) -> Vec<BackupId> {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .copied()
            .collect()
    }
}

/// Registers the run's cancel token under its id as soon as the run has one.
struct Registering {
    inner: Arc<dyn Progress>,
    running: Arc<Mutex<HashMap<BackupId, CancellationToken>>>,
    cancel: CancellationToken,
    id: Mutex<Option<BackupId>>,
}

impl Progress for Registering {
    fn started(&self, backup: BackupId, connection: ConnectionId) {
        *self.id.lock().unwrap_or_else(|p| p.into_inner()) = Some(backup);
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(backup, self.cancel.clone());
        self.inner.started(backup, connection);
    }

    fn stage(&self, backup: BackupId, text: &str) {
        self.inner.stage(backup, text);
    }

    fn bytes(&self, backup: BackupId, bytes: u64, elapsed: std::time::Duration) {
        self.inner.bytes(backup, bytes, elapsed);
    }
}
