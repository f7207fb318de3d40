//! Where a backup's file goes: `<root>/<slug>/<YYYY>/<MM>/<slug>_<UTC stamp>_<id>.<ext>`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// A connection name as a safe folder and file name: letters and digits kept (any script),
/// everything else one '-', no leading dots, at most 60 characters.
pub fn slug(name: &str, fallback_id: i64) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(60).collect();
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
        for name in ["..", "/", "a/b", "c:\\d", ".hidden"] {
            let s = slug(name, 8);
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.starts_with('.') && !s.contains(".."),
                "{s}"
            );
        }
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
