//! What a schedule calls after each run (URLs and a command) and the rules those fields obey.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Code, Problem};

pub const MAX_TIMEOUT_SECONDS: u32 = 600;
const MAX_URL_CHARS: usize = 2048;
const MAX_COMMAND_CHARS: usize = 4096;

/// What is called after each run of a schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Hooks {
    /// Called after every run, `{status}` replaced by `success` or `failure`.
    #[ts(optional = nullable)]
    pub ping_url: Option<String>,
    #[ts(optional = nullable)]
    pub on_success_url: Option<String>,
    #[ts(optional = nullable)]
    pub on_failure_url: Option<String>,
    /// Run by the shell (`sh -c`) with the run's JSON on stdin.
    #[ts(optional = nullable)]
    pub on_finish_cmd: Option<String>,
    /// How long each hook may take (None: `hooks::DEFAULT_TIMEOUT`).
    #[ts(optional = nullable)]
    pub timeout_seconds: Option<u32>,
}

impl Hooks {
    pub fn is_empty(&self) -> bool {
        self.ping_url.is_none()
            && self.on_success_url.is_none()
            && self.on_failure_url.is_none()
            && self.on_finish_cmd.is_none()
    }
}

/// The hooks as entered, trimmed (empty fields are none), or what is wrong with them.
pub fn validate(hooks: &Hooks) -> Result<Hooks, Problem> {
    let url = |value: &Option<String>, flag: &str| -> Result<Option<String>, Problem> {
        let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let lower = value.to_ascii_lowercase();
        let has_host = ["http://", "https://"]
            .iter()
            .find_map(|scheme| lower.strip_prefix(scheme))
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !has_host
            || value.chars().count() > MAX_URL_CHARS
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Problem::new(
                Code::InvalidHook,
                format!(
                    "{flag} \"{}\" is not an http:// or https:// address.",
                    crate::model::excerpt(value)
                ),
                "Give the full address, e.g. https://hc-ping.com/<uuid>, without spaces.",
            ));
        }
        Ok(Some(value.to_string()))
    };
    let command = match hooks
        .on_finish_cmd
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(command) if command.chars().count() > MAX_COMMAND_CHARS || command.contains('\0') => {
            return Err(Problem::new(
                Code::InvalidHook,
                "The command to run after each backup is too long or contains a NUL character.",
                format!(
                    "Use at most {MAX_COMMAND_CHARS} characters; put a longer one in a script."
                ),
            ))
        }
        other => other.map(str::to_string),
    };
    if let Some(seconds) = hooks.timeout_seconds {
        if !(1..=MAX_TIMEOUT_SECONDS).contains(&seconds) {
            return Err(Problem::new(
                Code::InvalidHook,
                format!("A hook timeout of {seconds} seconds is not possible."),
                format!("Use between 1 and {MAX_TIMEOUT_SECONDS} seconds."),
            ));
        }
    }
    Ok(Hooks {
        ping_url: url(&hooks.ping_url, "The ping URL")?,
        on_success_url: url(&hooks.on_success_url, "The success URL")?,
        on_failure_url: url(&hooks.on_failure_url, "The failure URL")?,
        on_finish_cmd: command,
        timeout_seconds: hooks.timeout_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_are_trimmed_and_bad_ones_refused() {
        let ok = validate(&Hooks {
            ping_url: Some("  https://hc-ping.com/abc/{status} ".into()),
            on_success_url: Some("   ".into()),
            on_finish_cmd: Some(" cat > /dev/null ".into()),
            ..Hooks::default()
        })
        .unwrap();
        assert_eq!(
            ok.ping_url.as_deref(),
            Some("https://hc-ping.com/abc/{status}")
        );
        assert_eq!(ok.on_success_url, None);
        assert_eq!(ok.on_finish_cmd.as_deref(), Some("cat > /dev/null"));
        for bad in [
            "ftp://x",
            "https://",
            "hc-ping.com/abc",
            "https://a b",
            "https:///x",
        ] {
            let hooks = Hooks {
                on_failure_url: Some(bad.into()),
                ..Hooks::default()
            };
            assert_eq!(
                validate(&hooks).unwrap_err().code,
                Code::InvalidHook,
                "{bad}"
            );
        }
        let slow = Hooks {
            timeout_seconds: Some(0),
            ..Hooks::default()
        };
        assert_eq!(validate(&slow).unwrap_err().code, Code::InvalidHook);
    }
}
