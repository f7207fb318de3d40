//! Where a backup's file goes: `<root>/<slug>/<YYYY>/<MM>/<slug>_<UTC stamp>_<id>.<ext>`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// A connection name as a safe folder and file name: letters and digits kept (any script),
/// everything else one '-', no leading dots, at most 60 bytes (file names are capped in bytes:
/// 60 four-byte letters would make every backup's name too long).
pub fn slug(name: &str, fallback_id: i64) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_matches('-').to_string();
    if slug.len() > MAX_SLUG_BYTES {
        let mut end = MAX_SLUG_BYTES;
        while !slug.is_char_boundary(end) {
            end -= 1;
        }
        slug.truncate(end);
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        format!("connection-{fallback_id}")
    } else {
        slug
    }
}

/// The final path of a backup; the run writes `<path>.partial` first.
pub fn backup_path(
    root: &Path,
    slug: &str,
    started: DateTime<Utc>,
    backup_id: i64,
    extension: &str,
) -> PathBuf {
    root.join(slug)
        .join(started.format("%Y").to_string())
        .join(started.format("%m").to_string())
        .join(format!(
            "{slug}_{}_{backup_id}.{extension}",
            started.format("%Y%m%dT%H%M%SZ")
        ))
}

/// The name a backup has while it is being written.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

pub const PARTIAL_SUFFIX: &str = ".partial";

/// The longest slug, in bytes.
pub const MAX_SLUG_BYTES: usize = 60;

/// The extensions a backup file can have (`DumpOptions::extension`).
const EXTENSIONS: [&str; 6] = ["dump", "sql", "sql.zst", "tar", "dir", "set"];

/// A name the app gave a backup file, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupName {
    pub slug: String,
    pub backup_id: i64,
    pub partial: bool,
}

/// `<slug>_<YYYYMMDDTHHMMSSZ>_<id>.<ext>[.partial]` → its parts; anything else → None.
pub fn parse_name(name: &str) -> Option<BackupName> {
    let (name, partial) = match name.strip_suffix(PARTIAL_SUFFIX) {
        Some(stem) => (stem, true),
        None => (name, false),
    };
    let mut parts = name.split('_');
    let (slug, stamp, rest) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || slug.is_empty() || slug.starts_with('.') {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").ok()?;
    let (id, extension) = rest.split_once('.')?;
    if !EXTENSIONS.contains(&extension) || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(BackupName {
        slug: slug.to_string(),
        backup_id: id.parse().ok()?,
        partial,
    })
}

/// True when `path` has the shape the app gives backup `id`'s file under a root:
/// `<slug>/<YYYY>/<MM>/<slug>_<stamp>_<id>.<ext>` (or its `.partial`), relative to the root.
pub fn is_backup_path_of(relative: &Path, id: i64) -> bool {
    let parts: Vec<&str> = relative
        .components()
        .map(|c| match c {
            std::path::Component::Normal(part) => part.to_str().unwrap_or("/"),
            _ => "/",
        })
        .collect();
    let [slug, year, month, name] = parts.as_slice() else {
        return false;
    };
    let digits =
        |text: &str, len: usize| text.len() == len && text.bytes().all(|b| b.is_ascii_digit());
    digits(year, 4)
        && digits(month, 2)
        && parse_name(name).is_some_and(|parsed| parsed.slug == *slug && parsed.backup_id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_path_components() {
        assert_eq!(slug("Prod DB (EU)", 1), "prod-db-eu");
        assert_eq!(slug("../../etc/passwd", 2), "etc-passwd");
        assert_eq!(slug("données 🐘 ünïcode", 3), "données-ünïcode");
        assert_eq!(slug("a\nb\tc\0d", 4), "a-b-c-d");
        assert_eq!(slug("...", 5), "connection-5");
        assert_eq!(slug("🐘🐘", 6), "connection-6");
        assert_eq!(slug(&"x".repeat(500), 7).len(), 60);
        // Capped in bytes, on a character boundary: 60 four-byte letters fit in 15.
        let wide = slug(&"𝒜".repeat(60), 9);
        assert_eq!(wide, "𝒜".repeat(15));
        assert_eq!(slug(&"é".repeat(100), 10).len(), 60);
        for name in ["..", "/", "a/b", "c:\\d", ".hidden"] {
            let s = slug(name, 8);
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.starts_with('.') && !s.contains(".."),
                "{s}"
            );
        }
    }

    #[test]
    fn names_the_app_gives_are_read_back_and_others_are_not() {
        let parsed = parse_name("prod-db_20260307T040506Z_42.sql.zst.partial").unwrap();
        assert_eq!(
            parsed,
            BackupName {
                slug: "prod-db".into(),
                backup_id: 42,
                partial: true
            }
        );
        assert!(!parse_name("prod_20260307T040506Z_7.dump").unwrap().partial);
        for foreign in [
            "notes.partial",
            "notes.txt",
            "prod_20260307T040506Z_42.txt.partial",
            "prod_2026_42.dump",
            "prod_20260307T040506Z_x42.dump",
            "a_b_20260307T040506Z_42.dump",
            "_20260307T040506Z_42.dump",
        ] {
            assert_eq!(parse_name(foreign), None, "{foreign}");
        }
        let path = Path::new("prod/2026/03/prod_20260307T040506Z_42.dump");
        assert!(is_backup_path_of(path, 42));
        assert!(!is_backup_path_of(path, 43));
        assert!(!is_backup_path_of(
            Path::new("prod_20260307T040506Z_42.dump"),
            42
        ));
        assert!(!is_backup_path_of(
            Path::new("other/2026/03/prod_20260307T040506Z_42.dump"),
            42
        ));
        assert!(!is_backup_path_of(
            Path::new("prod/2026/3/prod_20260307T040506Z_42.dump"),
            42
        ));
        assert!(!is_backup_path_of(
            Path::new("prod/../03/prod_20260307T040506Z_42.dump"),
            42
        ));
    }

    #[test]
    fn paths_follow_the_layout() {
        let started = DateTime::parse_from_rfc3339("2026-03-07T04:05:06Z")
            .unwrap()
            .with_timezone(&Utc);
        let path = backup_path(Path::new("/b"), "prod", started, 42, "dump");
        assert_eq!(
            path,
            Path::new("/b/prod/2026/03/prod_20260307T040506Z_42.dump")
        );
        assert_eq!(
            partial_path(&path),
            Path::new("/b/prod/2026/03/prod_20260307T040506Z_42.dump.partial")
        );
    }
}
