//! Storage locations (a folder, an S3-compatible bucket, an SFTP server) through one storage
//! library (Apache OpenDAL), the copies of backups in them, and their encryption with age.
//! This room moves files and keeps its own tables; which backup to copy, and what a copy
//! means for the library, is decided above it (`library::copies`).

pub mod copies;
pub mod copy_lock;
pub mod encryption;
mod model;
pub mod operator;
mod probe;
pub mod problems;
pub mod remote_manifest;
mod repository;
pub mod scan;
pub mod transfer;

pub use copies::{Copy, CopyState};
pub use model::{Location, LocationInput, LocationSettings, MAX_LOCATION_NAME_CHARS};
pub use probe::{ProbeReport, ProbeStep};

use opendal::Operator;

use crate::model::{Code, LocationId, Problem};
use crate::secrets::{Secret, SecretStore};
use crate::store::Store;

/// The engine's storage operations over one data dir.
pub struct Storage<'a> {
    store: &'a Store,
}

impl<'a> Storage<'a> {
    pub fn new(store: &'a Store) -> Self {
        Storage { store }
    }

    fn secrets(&self) -> Result<SecretStore, Problem> {
        Ok(SecretStore::new(self.store.installation_id()?))
    }

    fn secret_name(id: LocationId) -> String {
        format!("location/{id}")
    }

    /// Adds a location; its secret (an S3 secret key) goes to the keyring. Nothing stays when
    /// either part fails.
    pub fn add(&self, input: &LocationInput, secret: Option<&Secret>) -> Result<Location, Problem> {
        let input = input.validate()?;
        let secret = secret.filter(|s| !s.is_empty());
        if input.settings.has_secret() && secret.is_none() {
            return Err(Problem::new(
                Code::InvalidStorage,
                "An S3 location needs its secret access key.",
                "Pass it on stdin (--secret-stdin), never on the command line.",
            ));
        }
        let id = repository::insert(&self.store.connection(), &input)?;
        if let Some(secret) = secret {
            if let Err(problem) = self.secrets()?.set(&Self::secret_name(id), secret) {
                let _ = repository::delete(&self.store.connection(), id);
                return Err(problem);
            }
        }
        tracing::info!(
            location = id.0,
            kind = input.settings.kind(),
            "storage location added"
        );
        self.get(id)
    }

    /// Adds a location, then tests it (list, write, read back, delete): when the test fails,
    /// the location goes again and the error says which step failed and why.
    pub async fn add_tested(
        &self,
        input: &LocationInput,
        secret: Option<&Secret>,
    ) -> Result<Location, Problem> {
        let location = self.add(input, secret)?;
        let report = self.test(&location).await?;
        match report.problem {
            None => Ok(location),
            Some(problem) => {
                self.remove(location.id)?;
                Err(problem)
            }
        }
    }

    pub fn list(&self) -> Result<Vec<Location>, Problem> {
        repository::list(&self.store.connection())
    }

    pub fn get(&self, id: LocationId) -> Result<Location, Problem> {
        repository::get(&self.store.connection(), id)
    }

    /// By name, or by id.
    pub fn find(&self, reference: &str) -> Result<Location, Problem> {
        repository::find(&self.store.connection(), reference)
    }

    /// Sets how many backups (and for how long) stay in the location.
    pub fn set_retention(
        &self,
        id: LocationId,
        keep_last: Option<u32>,
        keep_days: Option<u32>,
    ) -> Result<Location, Problem> {
        let location = self.get(id)?;
        LocationInput {
            name: location.name.clone(),
            settings: location.settings.clone(),
            keep_last,
            keep_days,
        }
        .validate()?;
        repository::set_retention(&self.store.connection(), id, keep_last, keep_days)?;
        self.get(id)
    }

    /// Forgets a location: its record, its secret, and the copies' records. The objects in it
    /// stay where they are (the app never deletes a whole location's contents).
    pub fn remove(&self, id: LocationId) -> Result<(), Problem> {
        self.get(id)?;
        let copying = copies::in_location(&self.store.connection(), id)?
            .into_iter()
            .any(|c| c.state == CopyState::Copying);
        if copying {
            return Err(Problem::new(
                Code::CopyRunning,
                "A copy to this location is running.",
                "Wait for it to end, then remove the location.",
            ));
        }
        self.secrets()?.delete(&Self::secret_name(id))?;
        repository::delete(&self.store.connection(), id)?;
        tracing::info!(location = id.0, "storage location removed");
        Ok(())
    }

    /// The copies in a location, newest backup first.
    pub fn copies_in(&self, id: LocationId) -> Result<Vec<Copy>, Problem> {
        copies::in_location(&self.store.connection(), id)
    }

    /// Copies in these states, in every location.
    pub fn copies_in_states(&self, states: &[CopyState]) -> Result<Vec<Copy>, Problem> {
        copies::in_states(&self.store.connection(), states)
    }

    /// A backup's copies, by location name.
    pub fn copies_of(&self, backup: crate::model::BackupId) -> Result<Vec<Copy>, Problem> {
        copies::of_backup(&self.store.connection(), backup)
    }

    pub fn secret(&self, location: &Location) -> Result<Option<Secret>, Problem> {
        if !location.settings.has_secret() {
            return Ok(None);
        }
        self.secrets()?.get(&Self::secret_name(location.id))
    }

    /// The location's operator, its secret read from the keyring.
    pub fn operator(
        &self,
        location: &Location,
        patience: operator::Patience,
    ) -> Result<Operator, Problem> {
        let secret = self.secret(location)?;
        operator::operator(&location.settings, secret.as_ref(), patience)
    }

    /// Writes, reads back and deletes a small object (keyring reads happen before the await).
    pub async fn test(&self, location: &Location) -> Result<ProbeReport, Problem> {
        let secret = self.secret(location)?;
        let installation = self.store.installation_id()?;
        Ok(probe::probe(&location.settings, secret.as_ref(), &installation).await)
    }
}
