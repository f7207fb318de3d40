fn main() {
    // tauri.conf.json lives at the repository root; src-tauri/tauri.conf.json links to it so that
    // both cargo and the Tauri CLI find it beside this crate.
    tauri_build::build()
}
