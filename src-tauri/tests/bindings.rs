//! The checked-in TypeScript bindings match what the Rust types generate.

use std::path::PathBuf;

#[test]
fn checked_in_bindings_are_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dbm_app::bindings::BINDINGS_PATH);
    let generated = dbm_app::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p dbm-app --test bindings` and commit it",
        path.display()
    );
}
