//! Verifying by restore without Docker: into a scratch database on a chosen connection's server.

use std::sync::Arc;

use super::counts::{connection_target, count_rows, Restored};
use crate::backups::Backup;
use crate::library::dump_scope::Scope;
use crate::library::restore::{self, Errors, RestoreRequest};
use crate::model::{ConnectionId, Problem};
use crate::store::Store;

/// Restores into `dbm_verify_<backup>_<pid>` on the connection's server, counts its rows, and
/// drops it whatever happened.
pub(super) async fn restore_on_server(
    store: &Arc<Store>,
    backup: &Backup,
    connection_id: ConnectionId,
    scope: Scope,
) -> Result<Restored, Problem> {
    let scratch = format!("dbm_verify_{}_{}", backup.id, std::process::id());
    let request = RestoreRequest {
        backup_id: backup.id,
        connection_id,
        database: Some(scratch.clone()),
        create: true,
        clean: false,
        no_owner: true,
        single_transaction: false,
        allow_non_empty: false,
        part: None,
    };
    let server = connection_target(store, connection_id).await?;
    let errors = if scope.partial {
        Errors::TolerateOutsideTables
    } else {
        Errors::Stop
    };
    let restored = restore::restore_with(
        store.clone(),
        &request,
        errors,
        &|_| {},
        &tokio_util::sync::CancellationToken::new(),
    )
    .await;
    let counted = match restored {
        Ok((_, tolerated)) => {
            let target = crate::pg::ConnectTarget {
                database: scratch.clone(),
                ..server.clone()
            };
            count_rows(&target)
                .await
                .map(|counts| Restored { counts, tolerated })
        }
        Err(problem) => Err(problem),
    };
    // A failed restore drops what it created; a finished one leaves the scratch database to us.
    if let Ok(admin) = crate::pg::connect(&server).await {
        let name = crate::pg::identifier::quote_ident(&scratch);
        if admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .is_err()
        {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
        }
    }
    counted
}
