//! Embedded, ordered schema migrations. The schema version is SQLite's `user_version`.

/// One step of the schema, applied once, in order.
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, oldest first. Append only: a released migration never changes.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "installation_id",
        sql: include_str!("migrations/0002_installation_id.sql"),
    },
    Migration {
        version: 3,
        name: "scheduler",
        sql: include_str!("migrations/0003_scheduler.sql"),
    },
    Migration {
        version: 4,
        name: "library",
        sql: include_str!("migrations/0004_library.sql"),
    },
    Migration {
        version: 5,
        name: "connection_removal",
        sql: include_str!("migrations/0005_connection_removal.sql"),
    },
    Migration {
        version: 6,
        name: "backup_options",
        sql: include_str!("migrations/0006_backup_options.sql"),
    },
    Migration {
        version: 7,
        name: "health",
        sql: include_str!("migrations/0007_health.sql"),
    },
    Migration {
        version: 8,
        name: "unusual",
        sql: include_str!("migrations/0008_unusual.sql"),
    },
    Migration {
        version: 9,
        name: "proof_limits_hooks",
        sql: include_str!("migrations/0009_proof_limits_hooks.sql"),
    },
    Migration {
        version: 10,
        name: "server_sets",
        sql: include_str!("migrations/0010_server_sets.sql"),
    },
    Migration {
        version: 11,
        name: "storage",
        sql: include_str!("migrations/0011_storage.sql"),
    },
];

/// The newest schema this build knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                migration.version as usize,
                index + 1,
                "migration {}",
                migration.name
            );
        }
    }
}
