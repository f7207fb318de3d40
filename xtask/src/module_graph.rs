//! Which module of a crate uses which, read from its sources, and the circles among them.
//!
//! A module is a file (`a/mod.rs` is `a`, `a/b.rs` is `a::b`). An arrow goes from a file to
//! the module that defines what one of its `crate::…`, `super::…` or child-module paths
//! names; a facade's `pub use child::Item` is followed to the child, so a re-export is not an
//! arrow itself. Test modules (`tests.rs`, code after `#[cfg(test)]`) are left out: tests may
//! reach anywhere. `cargo xtask modules` prints the arrows and circles; the tests below fail
//! on any circle in the engine or the shell, so a new one is caught by the test command.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate's modules and the arrows between them.
pub struct ModuleGraph {
    /// Module path (`dump::runner`, "" for the crate root) → modules it uses.
    pub arrows: BTreeMap<String, BTreeSet<String>>,
}

struct SourceFile {
    module: String,
    /// The file's code without comments, strings and tests.
    code: String,
    /// `pub use child::…` re-exports of this module: item name → module that defines it.
    reexports: BTreeMap<String, Vec<String>>,
    /// Child modules declared here (`mod x;`).
    children: BTreeSet<String>,
}

impl ModuleGraph {
    /// Reads every `.rs` file under `src` (a crate's `src` folder).
    pub fn read(src: &Path) -> Result<ModuleGraph, String> {
        let mut files = Vec::new();
        collect_files(src, &mut files)?;
        let mut sources = Vec::new();
        for path in files {
            let Some(module) = module_of(src, &path) else {
                continue;
            };
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let code = strip_tests(&strip_comments_and_strings(&text));
            sources.push(SourceFile {
                children: child_modules(&code),
                reexports: BTreeMap::new(),
                module,
                code,
            });
        }
        let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
        for source in &mut sources {
            source.reexports = reexports(&source.module, &source.code, &modules);
        }
        let reexported: BTreeMap<String, BTreeMap<String, Vec<String>>> = sources
            .iter()
            .map(|s| (s.module.clone(), s.reexports.clone()))
            .collect();
        let mut arrows = BTreeMap::new();
        for source in &sources {
            let mut used = BTreeSet::new();
            for path in referenced_paths(&source.module, &source.code, &source.children) {
                let target = resolve(&path, &modules, &reexported);
                let counts = target != source.module
                    && (!is_ancestor(&target, &source.module)
                        || defines_items(&target, &sources, &path));
                if counts {
                    used.insert(target);
                }
            }
            arrows.insert(source.module.clone(), used);
        }
        Ok(ModuleGraph { arrows })
    }

    /// The circles: each set of modules that reach one another, with more than one member.
    pub fn circles(&self) -> Vec<Vec<String>> {
        strongly_connected(&self.arrows)
            .into_iter()
            .filter(|component| component.len() > 1)
            .collect()
    }

    /// The same graph with every module folded into its top-level room (`dump::runner` → `dump`).
    pub fn rooms(&self) -> ModuleGraph {
        let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &self.arrows {
            let room = top(from);
            let entry = arrows.entry(room.clone()).or_default();
            for target in targets {
                let target_room = top(target);
                if target_room != room && !target_room.is_empty() {
                    entry.insert(target_room);
                }
            }
        }
        ModuleGraph { arrows }
    }

    /// A circle told as the arrows inside it, for a message a reader can act on.
    pub fn describe(&self, circle: &[String]) -> String {
        let members: BTreeSet<&String> = circle.iter().collect();
        let mut lines = Vec::new();
        for from in circle {
            for to in self.arrows.get(from).into_iter().flatten() {
                if members.contains(to) {
                    lines.push(format!("  {from} → {to}"));
                }
            }
        }
        lines.join("\n")
    }
}

fn top(module: &str) -> String {
    module.split("::").next().unwrap_or("").to_string()
}

fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor.is_empty() || module.starts_with(&format!("{ancestor}::"))
}

/// A child naming its parent counts as an arrow only when the parent itself defines what is
/// named (a facade's re-exports were already followed to the defining child).
fn defines_items(parent: &str, sources: &[SourceFile], path: &[String]) -> bool {
    let depth = if parent.is_empty() {
        0
    } else {
        parent.split("::").count()
    };
    let Some(item) = path.get(depth) else {
        return false;
    };
    sources
        .iter()
        .any(|s| s.module == parent && !s.children.contains(item) && defines(&s.code, item))
}

fn defines(code: &str, item: &str) -> bool {
    [
        "fn",
        "struct",
        "enum",
        "trait",
        "type",
        "const",
        "static",
        "macro_rules!",
    ]
    .iter()
    .any(|keyword| {
        code.match_indices(item).any(|(at, _)| {
            let before = code[..at].trim_end();
            let after = code[at + item.len()..].chars().next();
            before.ends_with(keyword) && !after.is_some_and(is_ident)
        })
    })
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(())
}

/// `a/b.rs` → `a::b`, `a/mod.rs` → `a`, `lib.rs`/`main.rs` → "", test files → none.
fn module_of(src: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "tests") {
        return None;
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    Some(parts.join("::"))
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Comments and the insides of string and char literals become spaces.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !prev_ident(&chars, i) {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match chars.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    _ => j += 1,
                }
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next.is_some() && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_ident(chars: &[char], i: usize) -> bool {
    i > 0 && is_ident(chars[i - 1])
}

/// Drops everything from the first `#[cfg(test)]` on (the project keeps tests last).
fn strip_tests(code: &str) -> String {
    match code.find("#[cfg(test)]") {
        Some(at) => code[..at].to_string(),
        None => code.to_string(),
    }
}

fn child_modules(code: &str) -> BTreeSet<String> {
    let mut children = BTreeSet::new();
    for line in code.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(at) = words.iter().position(|w| *w == "mod") {
            if let Some(name) = words.get(at + 1) {
                if line.trim_end().ends_with(';') {
                    children.insert(name.to_string());
                }
            }
        }
    }
    children
}

/// Every `use` tree, flattened into paths (`use a::{b, c::d}` → `a::b`, `a::c::d`), with
/// whether it is a `pub use`.
fn use_trees(code: &str) -> Vec<(bool, Vec<String>)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for (at, _) in code.match_indices("use ") {
        let boundary = at == 0 || !is_ident(bytes[at - 1] as char);
        if !boundary {
            continue;
        }
        let Some(end) = code[at..].find(';') else {
            continue;
        };
        let before = code[..at].trim_end();
        let public = before.ends_with("pub") || before.ends_with(')');
        let tree = code[at + 4..at + end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" ::", "::")
            .replace(":: ", "::");
        for path in expand(&tree) {
            found.push((public, path));
        }
    }
    found
}

/// Expands one use tree; `self` inside braces names the prefix, `as` renames are dropped.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        let segments: Vec<String> = path
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        return vec![segments];
    };
    let prefix: Vec<String> = tree[..open]
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut paths = Vec::new();
    for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        for tail in expand(part) {
            let mut path = prefix.clone();
            if tail.first().is_some_and(|s| s == "self") {
                path.extend(tail.into_iter().skip(1));
            } else {
                path.extend(tail);
            }
            paths.push(path);
        }
    }
    paths
}

/// `crate::a::b` stays, `super::b` and `self::b` become absolute, a child's name gets this
/// module in front; anything else (std, other crates, locals) is none.
fn absolute(module: &str, path: &[String], children: &BTreeSet<String>) -> Option<Vec<String>> {
    let mut here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_string).collect()
    };
    let first = path.first()?;
    match first.as_str() {
        "crate" => Some(path[1..].to_vec()),
        "self" => {
            here.extend(path[1..].iter().cloned());
            Some(here)
        }
        "super" => {
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                here.pop();
                rest = &rest[1..];
            }
            here.extend(rest.iter().cloned());
            Some(here)
        }
        name if children.contains(name) => {
            here.extend(path.iter().cloned());
            Some(here)
        }
        _ => None,
    }
}

/// This module's `pub use child::Item` lines: Item → the path it names.
fn reexports(
    module: &str,
    code: &str,
    _modules: &BTreeSet<String>,
) -> BTreeMap<String, Vec<String>> {
    let children = child_modules(code);
    let mut map = BTreeMap::new();
    for (public, path) in use_trees(code) {
        if !public {
            continue;
        }
        let Some(absolute) = absolute(module, &path, &children) else {
            continue;
        };
        if let Some(item) = absolute.last() {
            map.insert(item.clone(), absolute.clone());
        }
    }
    map
}

/// Every path this file names that may lead into the crate.
fn referenced_paths(module: &str, code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (public, path) in use_trees(code) {
        // A re-export of a child is structure, not use; a re-export of anything else is use.
        let of_child = path
            .first()
            .is_some_and(|s| children.contains(s) || s == "self");
        if public && of_child {
            continue;
        }
        if let Some(absolute) = absolute(module, &path, children) {
            paths.push(absolute);
        }
    }
    // Paths written inline: `crate::x::y(…)`, `super::x`, `child::f(…)`.
    let without_uses = remove_use_statements(code);
    let chars: Vec<char> = without_uses.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_ident(chars[i]) && (i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':') {
            let start = i;
            let mut segments = Vec::new();
            loop {
                let word_start = i;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
                segments.push(chars[word_start..i].iter().collect::<String>());
                if chars.get(i) == Some(&':')
                    && chars.get(i + 1) == Some(&':')
                    && chars.get(i + 2).is_some_and(|c| is_ident(*c))
                {
                    i += 2;
                } else {
                    break;
                }
            }
            if segments.len() > 1 {
                if let Some(absolute) = absolute(module, &segments, children) {
                    paths.push(absolute);
                }
            }
            if i == start {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    paths
}

fn remove_use_statements(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = find_use(rest) {
        out.push_str(&rest[..at]);
        match rest[at..].find(';') {
            Some(end) => rest = &rest[at + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn find_use(code: &str) -> Option<usize> {
    let bytes = code.as_bytes();
    code.match_indices("use ")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || !is_ident(bytes[at - 1] as char))
}

/// The module that defines what `path` names: the longest module prefix, then through the
/// re-exports of facades until it reaches the defining file.
fn resolve(
    path: &[String],
    modules: &BTreeSet<String>,
    reexported: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
) -> String {
    let mut current = path.to_vec();
    for _ in 0..16 {
        let mut module = String::new();
        let mut depth = 0;
        for n in (1..=current.len()).rev() {
            let candidate = current[..n].join("::");
            if modules.contains(&candidate) {
                module = candidate;
                depth = n;
                break;
            }
        }
        let Some(item) = current.get(depth) else {
            return module;
        };
        match reexported.get(&module).and_then(|m| m.get(item)) {
            Some(target) if *target != current[..=depth] => {
                let mut next = target.clone();
                next.extend(current[depth + 1..].iter().cloned());
                current = next;
            }
            _ => return module,
        }
    }
    path.join("::")
}

/// Tarjan's strongly connected components.
fn strongly_connected(arrows: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        arrows: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        components: Vec<Vec<String>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, node: &'a str) {
        walk.index.insert(node, walk.next);
        walk.low.insert(node, walk.next);
        walk.next += 1;
        walk.stack.push(node);
        walk.on_stack.insert(node);
        let arrows = walk.arrows;
        for target in arrows.get(node).into_iter().flatten() {
            let target = target.as_str();
            if !walk.index.contains_key(target) {
                visit(walk, target);
                let low = walk.low[node].min(walk.low[target]);
                walk.low.insert(node, low);
            } else if walk.on_stack.contains(target) {
                let low = walk.low[node].min(walk.index[target]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let mut component = Vec::new();
            while let Some(member) = walk.stack.pop() {
                walk.on_stack.remove(member);
                component.push(member.to_string());
                if member == node {
                    break;
                }
            }
            component.sort();
            walk.components.push(component);
        }
    }
    let mut walk = Walk {
        arrows,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        components: Vec::new(),
    };
    for node in arrows.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    walk.components
}

/// `cargo xtask modules`: each crate's arrows (with `--arrows`) and its circles.
pub fn report(root: &Path, args: &[String]) -> Result<(), String> {
    let show_arrows = args.iter().any(|a| a == "--arrows");
    let mut circles_found = 0;
    for src in ["crates/engine/src", "src-tauri/src", "crates/cli/src"] {
        let graph = ModuleGraph::read(&root.join(src))?;
        println!("{src}:");
        if show_arrows {
            for (from, targets) in &graph.arrows {
                let shown = if from.is_empty() { "(root)" } else { from };
                let list: Vec<&str> = targets.iter().map(String::as_str).collect();
                println!("  {shown} → {}", list.join(", "));
            }
        }
        for (label, g) in [("module", &graph), ("room", &graph.rooms())] {
            for circle in g.circles() {
                circles_found += 1;
                println!(
                    " {label} circle: {}\n{}",
                    circle.join(" ↔ "),
                    g.describe(&circle)
                );
            }
        }
    }
    if circles_found == 0 {
        println!("no circles");
        Ok(())
    } else {
        Err(format!("{circles_found} circle(s)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_src(path: &str) -> PathBuf {
        crate::root().join(path)
    }

    fn assert_no_circles(src: &str) {
        let graph = ModuleGraph::read(&crate_src(src)).expect("sources are readable");
        assert!(
            graph.arrows.len() > 5,
            "{src}: found too few modules to judge"
        );
        for g in [&graph, &graph.rooms()] {
            let circles = g.circles();
            let told: Vec<String> = circles.iter().map(|c| g.describe(c)).collect();
            assert!(
                circles.is_empty(),
                "{src} has module circles (move the shared piece down a layer):\n{}",
                told.join("\n\n")
            );
        }
    }

    #[test]
    fn the_engine_has_no_module_circles() {
        assert_no_circles("crates/engine/src");
    }

    #[test]
    fn the_shell_has_no_module_circles() {
        assert_no_circles("src-tauri/src");
    }

    #[test]
    fn the_cli_has_no_module_circles() {
        assert_no_circles("crates/cli/src");
    }

    /// The reader must see a circle when there is one, through each kind of path.
    #[test]
    fn a_circle_is_found_through_uses_inline_paths_and_facades() {
        let dir = tempfile_dir();
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("lib.rs", "mod a;\nmod b;\nmod c;\n");
        write("a.rs", "use crate::b::{self, Thing};\npub fn f() {}\n");
        // b reaches c through the facade's re-export; c calls a inline.
        write("b/mod.rs", "mod inner;\npub use inner::Thing;\n");
        write(
            "b/inner.rs",
            "pub struct Thing;\nfn g() { crate::c::h(); }\n",
        );
        write(
            "c.rs",
            "// crate::a::not_this\npub fn h() { let s = \"crate::a::f\"; super::a::f(); }\n",
        );
        let graph = ModuleGraph::read(&dir).expect("read");
        // `self` names the facade itself; `Thing` is followed to the file that defines it.
        assert_eq!(
            graph.arrows["a"],
            BTreeSet::from(["b".to_string(), "b::inner".to_string()])
        );
        assert_eq!(
            graph.arrows["b"],
            BTreeSet::new(),
            "a re-export is not a use"
        );
        assert_eq!(graph.arrows["c"], BTreeSet::from(["a".to_string()]));
        assert_eq!(
            graph.circles(),
            vec![vec![
                "a".to_string(),
                "b::inner".to_string(),
                "c".to_string()
            ]]
        );
        assert_eq!(graph.rooms().circles().len(), 1);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_child_using_what_its_parent_defines_is_an_arrow_but_the_re_export_is_not() {
        let dir = tempfile_dir();
        std::fs::create_dir_all(dir.join("d")).expect("mkdir");
        std::fs::write(dir.join("lib.rs"), "mod d;\n").expect("write");
        std::fs::write(
            dir.join("d/mod.rs"),
            "mod x;\npub use x::X;\npub struct Shared;\npub fn uses_x() { x::run(); }\n",
        )
        .expect("write");
        std::fs::write(
            dir.join("d/x.rs"),
            "use super::Shared;\npub struct X;\npub fn run() {}\n",
        )
        .expect("write");
        let graph = ModuleGraph::read(&dir).expect("read");
        assert_eq!(graph.arrows["d::x"], BTreeSet::from(["d".to_string()]));
        assert_eq!(graph.arrows["d"], BTreeSet::from(["d::x".to_string()]));
        assert_eq!(graph.circles().len(), 1);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    fn tempfile_dir() -> PathBuf {
        let unique = format!(
            "dbm-module-graph-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        )
        .replace(['(', ')'], "");
        let dir = std::env::temp_dir().join(unique);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
