//! How a connection uses TLS.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{excerpt, Code, Problem};

/// How TLS is used, with libpq's names and meanings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, plain otherwise (libpq's default).
    #[default]
    Prefer,
    /// TLS always; the certificate is not checked.
    Require,
    /// TLS with a certificate signed by a trusted CA; any host name.
    VerifyCa,
    /// TLS with a trusted certificate issued for this host name.
    VerifyFull,
}

impl SslMode {
    pub const ALL: [SslMode; 5] = [
        SslMode::Disable,
        SslMode::Prefer,
        SslMode::Require,
        SslMode::VerifyCa,
        SslMode::VerifyFull,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SslMode {
    type Err = Problem;

    fn from_str(text: &str) -> Result<SslMode, Problem> {
        let wanted = text.trim().to_ascii_lowercase();
        // libpq's `allow` behaves like `prefer` for a backup tool: accept it as such.
        if wanted == "allow" {
            return Ok(SslMode::Prefer);
        }
        SslMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == wanted)
            .ok_or_else(|| {
                Problem::new(
                    Code::InvalidSslmode,
                    format!("\"{}\" is not a TLS mode.", excerpt(text)),
                    "Use one of disable, prefer, require, verify-ca, verify-full.",
                )
            })
    }
}
super::named::named!(
    SslMode: SslMode::Disable,
    SslMode::Prefer,
    SslMode::Require,
    SslMode::VerifyCa,
    SslMode::VerifyFull,
);
