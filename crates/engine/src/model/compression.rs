//! How a dump is compressed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{excerpt, Code, Problem};

/// How the dump is compressed. `Auto` picks the fastest good choice for the pg_dump at hand.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Compression {
    /// zstd where pg_dump has it (16+), else gzip level 1: pg_dump's default gzip level is
    /// about 3× slower for a few percent of size.
    #[default]
    Auto,
    None,
    Gzip {
        level: u32,
    },
    Zstd {
        level: u32,
    },
    Lz4 {
        level: u32,
    },
}

/// The text `FromStr` reads back: `auto`, `none`, `gzip:1`, `zstd:3`, `lz4:1`.
impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Compression::Auto => f.write_str("auto"),
            Compression::None => f.write_str("none"),
            Compression::Gzip { level } => write!(f, "gzip:{level}"),
            Compression::Zstd { level } => write!(f, "zstd:{level}"),
            Compression::Lz4 { level } => write!(f, "lz4:{level}"),
        }
    }
}

impl std::str::FromStr for Compression {
    type Err = Problem;
    /// `auto`, `none`, `gzip`, `gzip:6`, `zstd`, `zstd:3`, `lz4`.
    fn from_str(text: &str) -> Result<Self, Problem> {
        let bad = || {
            Problem::new(
                Code::InvalidCompression,
                format!("\"{}\" is not a compression.", excerpt(text)),
                "Use auto, none, gzip[:1-9], zstd[:1-22] or lz4[:1-12].",
            )
        };
        let lower = text.trim().to_ascii_lowercase();
        let (method, level) = match lower.split_once(':') {
            Some((method, level)) => (method, Some(level.parse::<u32>().map_err(|_| bad())?)),
            None => (lower.as_str(), None),
        };
        let checked = |default: u32, max: u32| match level {
            None => Ok(default),
            Some(level) if (1..=max).contains(&level) => Ok(level),
            Some(_) => Err(bad()),
        };
        Ok(match method {
            "auto" if level.is_none() => Compression::Auto,
            "none" if level.is_none() => Compression::None,
            "gzip" => Compression::Gzip {
                level: checked(1, 9)?,
            },
            "zstd" => Compression::Zstd {
                level: checked(3, 22)?,
            },
            "lz4" => Compression::Lz4 {
                level: checked(1, 12)?,
            },
            _ => return Err(bad()),
        })
    }
}
