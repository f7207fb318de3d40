//! pg_dump's output formats.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{excerpt, Code, Problem};

/// pg_dump's output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DumpFormat {
    /// pg_dump's custom archive: compressed, restorable selectively with pg_restore.
    #[default]
    Custom,
    /// SQL text, restored with psql.
    Plain,
    /// A tar archive of the directory format.
    Tar,
    /// One file per table, dumped in parallel.
    Directory,
}

impl DumpFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DumpFormat::Custom => "custom",
            DumpFormat::Plain => "plain",
            DumpFormat::Tar => "tar",
            DumpFormat::Directory => "directory",
        }
    }

    /// Formats that pg_restore reads (and so can check with `--list`).
    pub fn is_archive(self) -> bool {
        self != DumpFormat::Plain
    }

    /// pg_dump's `-F` letter.
    pub fn flag(self) -> &'static str {
        match self {
            DumpFormat::Custom => "c",
            DumpFormat::Plain => "p",
            DumpFormat::Tar => "t",
            DumpFormat::Directory => "d",
        }
    }
}

impl std::str::FromStr for DumpFormat {
    type Err = Problem;
    fn from_str(text: &str) -> Result<Self, Problem> {
        match text.trim().to_ascii_lowercase().as_str() {
            "custom" | "c" => Ok(DumpFormat::Custom),
            "plain" | "p" | "sql" => Ok(DumpFormat::Plain),
            "tar" | "t" => Ok(DumpFormat::Tar),
            "directory" | "d" | "dir" => Ok(DumpFormat::Directory),
            _ => Err(Problem::new(
                Code::InvalidFormat,
                format!("\"{}\" is not a backup format.", excerpt(text)),
                "Use custom, plain, tar or directory.",
            )),
        }
    }
}

super::named::named!(
    DumpFormat: DumpFormat::Custom,
    DumpFormat::Plain,
    DumpFormat::Tar,
    DumpFormat::Directory,
);
