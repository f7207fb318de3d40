//! Where a connection's password comes from when the user saves the form.

use serde::Deserialize;
use ts_rs::TS;

use super::{parse_uri, pgpass, ConnectionFields, PasswordChange};
use crate::model::{Code, Problem};
use crate::secrets::Secret;

/// The password field of the connection form, as the UI sends it.
#[derive(Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PasswordSource {
    /// Leave the saved password as it is (a new connection gets none).
    Keep,
    /// Remove the saved password (trust, peer or certificate authentication).
    None,
    /// The password the user typed.
    Typed {
        #[ts(type = "string")]
        value: Secret,
    },
    /// The password inside a pasted postgres:// URI.
    Uri { uri: String },
    /// The password of the matching ~/.pgpass line.
    Pgpass,
}

/// Never the typed password nor the URI (it holds one).
impl std::fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PasswordSource::Keep => "Keep",
            PasswordSource::None => "None",
            PasswordSource::Typed { .. } => "Typed(***)",
            PasswordSource::Uri { .. } => "Uri(***)",
            PasswordSource::Pgpass => "Pgpass",
        })
    }
}

impl PasswordSource {
    /// What to store for a connection with these fields.
    pub fn resolve(&self, fields: &ConnectionFields) -> Result<PasswordChange, Problem> {
        Ok(match self {
            PasswordSource::Keep => PasswordChange::Keep,
            PasswordSource::None => PasswordChange::Remove,
            PasswordSource::Typed { value } => PasswordChange::Set(value.clone()),
            PasswordSource::Uri { uri } => match parse_uri(uri)?.password {
                Some(password) => PasswordChange::Set(password),
                None => PasswordChange::Remove,
            },
            PasswordSource::Pgpass => {
                let password = pgpass::lookup(
                    &fields.host,
                    fields.port,
                    &fields.database,
                    &fields.username,
                )
                .ok_or_else(|| {
                    Problem::new(
                        Code::PgpassNoMatch,
                        format!(
                            "No line of the pgpass file matches {}:{}, database {}, user {}.",
                            fields.host, fields.port, fields.database, fields.username
                        ),
                        "Type the password instead, or add a matching line to ~/.pgpass.",
                    )
                })?;
                PasswordChange::Set(password)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_typed_password_or_a_uri() {
        let typed = PasswordSource::Typed {
            value: Secret::new("hunter2"),
        };
        let uri = PasswordSource::Uri {
            uri: "postgres://app:hunter2@db/app".into(),
        };
        for source in [typed, uri] {
            assert!(!format!("{source:?}").contains("hunter2"));
        }
    }
}
