//! What a backup contains and how it is written: pg_dump's format, compression and filters.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Code, Compression, DumpFormat, Problem};

/// Everything that shapes a backup besides its connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct DumpOptions {
    pub format: DumpFormat,
    pub compression: Compression,
    pub schema_only: bool,
    pub data_only: bool,
    pub include_schemas: Vec<String>,
    pub exclude_schemas: Vec<String>,
    pub include_tables: Vec<String>,
    pub exclude_tables: Vec<String>,
    /// Parallel jobs for the directory format (default 2).
    pub jobs: Option<u32>,
}

/// The compression actually used: pg_dump's own, or the app's zstd stream for plain format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Passed to pg_dump as `--compress=…` (None: not passed).
    PgDump(Option<String>),
    /// pg_dump writes plain SQL; the app compresses it with zstd at this level.
    AppZstd(i32),
}

impl DumpOptions {
    pub fn validate(&self) -> Result<(), Problem> {
        if self.schema_only && self.data_only {
            return Err(Problem::new(
                Code::InvalidOptions,
                "Schema only and data only cannot both be set.",
                "Choose one of them, or neither for a full backup.",
            ));
        }
        if self.format == DumpFormat::Tar
            && !matches!(self.compression, Compression::Auto | Compression::None)
        {
            return Err(Problem::new(
                Code::InvalidCompression,
                "pg_dump's tar format cannot be compressed.",
                "Use the custom or directory format for compression, or no compression with tar.",
            ));
        }
        // Levels arrive as JSON from the UI, not only through `FromStr`: check them here too.
        let level_ok = match self.compression {
            Compression::Auto | Compression::None => true,
            Compression::Gzip { level } => (1..=9).contains(&level),
            Compression::Zstd { level } => (1..=22).contains(&level),
            Compression::Lz4 { level } => (1..=12).contains(&level),
        };
        if !level_ok {
            return Err(Problem::new(
                Code::InvalidCompression,
                format!(
                    "\"{}\" is not a compression level pg_dump accepts.",
                    self.compression
                ),
                "Use gzip:1-9, zstd:1-22 or lz4:1-12.",
            ));
        }
        if let Some(jobs) = self.jobs {
            if jobs == 0 || jobs > 64 || self.format != DumpFormat::Directory {
                return Err(Problem::new(
                    Code::InvalidJobs,
                    format!("{jobs} parallel jobs cannot be used here."),
                    "Parallel jobs (1 to 64) work with the directory format only.",
                ));
            }
        }
        for pattern in self
            .include_schemas
            .iter()
            .chain(&self.exclude_schemas)
            .chain(&self.include_tables)
            .chain(&self.exclude_tables)
        {
            if pattern.trim().is_empty() || pattern.chars().any(char::is_control) {
                return Err(Problem::new(
                    Code::InvalidPattern,
                    format!(
                        "\"{}\" is not a schema or table pattern.",
                        crate::model::excerpt(pattern)
                    ),
                    "Use names or psql patterns such as public or sales.*",
                ));
            }
        }
        Ok(())
    }

    /// The compression for a pg_dump of `major`.
    pub fn resolve_compression(&self, pg_dump_major: u32) -> Result<Resolved, Problem> {
        let zstd_capable = pg_dump_major >= 16;
        if self.format == DumpFormat::Tar {
            return Ok(Resolved::PgDump(None));
        }
        if self.format == DumpFormat::Plain {
            return Ok(match &self.compression {
                Compression::None => Resolved::PgDump(None),
                Compression::Auto => Resolved::AppZstd(3),
                Compression::Zstd { level } => Resolved::AppZstd(*level as i32),
                Compression::Gzip { .. } | Compression::Lz4 { .. } => {
                    return Err(Problem::new(
                        Code::InvalidCompression,
                        "Plain backups are compressed with zstd by the app.",
                        "Choose zstd, auto or none for the plain format.",
                    ))
                }
            });
        }
        let needs_16 = |method: &str| {
            Problem::new(
                Code::InvalidCompression,
                format!("pg_dump {pg_dump_major} cannot compress with {method} (pg_dump 16 or newer can)."),
                "Choose gzip, or auto.",
            )
        };
        Ok(Resolved::PgDump(Some(match &self.compression {
            Compression::Auto if zstd_capable => "zstd".into(),
            Compression::Auto => "1".into(),
            Compression::None => "0".into(),
            Compression::Gzip { level } => level.to_string(),
            Compression::Zstd { level } if zstd_capable => format!("zstd:{level}"),
            Compression::Lz4 { level } if zstd_capable => format!("lz4:{level}"),
            Compression::Zstd { .. } => return Err(needs_16("zstd")),
            Compression::Lz4 { .. } => return Err(needs_16("lz4")),
        })))
    }

    /// pg_dump's arguments, without connection or output (those depend on the runner).
    pub fn pg_dump_args(&self, resolved: &Resolved) -> Vec<String> {
        let mut args = vec![
            format!("--format={}", self.format.flag()),
            "--no-password".into(),
        ];
        if let Resolved::PgDump(Some(compress)) = resolved {
            args.push(format!("--compress={compress}"));
        }
        if self.schema_only {
            args.push("--schema-only".into());
        }
        if self.data_only {
            args.push("--data-only".into());
        }
        if self.format == DumpFormat::Directory {
            args.push(format!("--jobs={}", self.jobs.unwrap_or(2)));
        }
        let patterns = [
            ("--schema", &self.include_schemas),
            ("--exclude-schema", &self.exclude_schemas),
            ("--table", &self.include_tables),
            ("--exclude-table", &self.exclude_tables),
        ];
        for (flag, values) in patterns {
            args.extend(values.iter().map(|v| format!("{flag}={v}")));
        }
        args
    }

    /// The final file's extension.
    pub fn extension(&self, resolved: &Resolved) -> &'static str {
        match (self.format, resolved) {
            (DumpFormat::Custom, _) => "dump",
            (DumpFormat::Plain, Resolved::AppZstd(_)) => "sql.zst",
            (DumpFormat::Plain, _) => "sql",
            (DumpFormat::Tar, _) => "tar",
            (DumpFormat::Directory, _) => "dir",
        }
    }
}

/// A short text for the record, e.g. "zstd", "gzip:1", "app-zstd:3", "none".
pub fn describe(resolved: &Resolved) -> String {
    match resolved {
        Resolved::PgDump(None) => "none".into(),
        Resolved::PgDump(Some(level)) if level == "0" => "none".into(),
        Resolved::PgDump(Some(level)) if level.chars().all(|c| c.is_ascii_digit()) => {
            format!("gzip:{level}")
        }
        Resolved::PgDump(Some(method)) => method.clone(),
        Resolved::AppZstd(level) => format!("app-zstd:{level}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_compression_is_zstd_from_16_and_gzip_1_before() {
        let options = DumpOptions::default();
        assert_eq!(
            options.resolve_compression(17).unwrap(),
            Resolved::PgDump(Some("zstd".into()))
        );
        assert_eq!(
            options.resolve_compression(15).unwrap(),
            Resolved::PgDump(Some("1".into()))
        );
        let plain = DumpOptions {
            format: DumpFormat::Plain,
            ..Default::default()
        };
        assert_eq!(plain.resolve_compression(13).unwrap(), Resolved::AppZstd(3));
        assert_eq!(plain.extension(&Resolved::AppZstd(3)), "sql.zst");
    }

    #[test]
    fn builds_pg_dump_arguments_without_connection_details() {
        let options = DumpOptions {
            format: DumpFormat::Directory,
            schema_only: true,
            include_tables: vec!["public.t*".into()],
            jobs: Some(4),
            ..Default::default()
        };
        let args = options.pg_dump_args(&options.resolve_compression(17).unwrap());
        assert_eq!(
            args,
            [
                "--format=d",
                "--no-password",
                "--compress=zstd",
                "--schema-only",
                "--jobs=4",
                "--table=public.t*"
            ]
        );
    }

    #[test]
    fn compression_levels_out_of_range_are_refused_however_they_arrive() {
        for compression in [
            Compression::Gzip { level: 0 },
            Compression::Gzip { level: 10 },
            Compression::Zstd { level: 23 },
            Compression::Lz4 { level: u32::MAX },
        ] {
            let options = DumpOptions {
                compression,
                ..Default::default()
            };
            assert_eq!(
                options.validate().unwrap_err().code,
                Code::InvalidCompression
            );
        }
    }

    #[test]
    fn refuses_contradictions_and_unsupported_compression() {
        let both = DumpOptions {
            schema_only: true,
            data_only: true,
            ..Default::default()
        };
        assert!(both.validate().is_err());
        let zstd = DumpOptions {
            compression: Compression::Zstd { level: 3 },
            ..Default::default()
        };
        assert_eq!(
            zstd.resolve_compression(14).unwrap_err().code,
            Code::InvalidCompression
        );
        assert_eq!(
            "gzip:10".parse::<Compression>().unwrap_err().code,
            Code::InvalidCompression
        );
        assert_eq!(
            "zstd:5".parse::<Compression>().unwrap(),
            Compression::Zstd { level: 5 }
        );
        let jobs = DumpOptions {
            jobs: Some(2),
            ..Default::default()
        };
        assert!(jobs.validate().is_err(), "jobs need the directory format");
    }
}
