//! Saved connections against real PostgreSQL 13–18 and the real keyring (run inside
//! scripts/testenv/session.sh; nextest gives each test its own process).

mod support;

use dbm_engine::model::{Code, SslMode};
use std::time::Duration;

use dbm_engine::connections::{
    self, Connection, ConnectionInput, Connections, PasswordChange, PasswordSource,
};
use dbm_engine::model::Problem;
use dbm_engine::secrets::Secret;
use dbm_engine::store::Store;
use support::*;

fn input(
    name: &str,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
    sslmode: SslMode,
) -> ConnectionInput {
    ConnectionInput {
        name: name.into(),
        host: host.into(),
        port: port.to_string(),
        database: database.into(),
        username: user.into(),
        sslmode,
        scope: Default::default(),
    }
}

fn server(major: u32) -> ConnectionInput {
    input(
        &format!("pg{major}"),
        "127.0.0.1",
        pg_port(major),
        "postgres",
        "postgres",
        SslMode::Prefer,
    )
}

fn postgres_password() -> Secret {
    Secret::new(env_or("DBM_PG_PASSWORD", "postgres"))
}

async fn test_input(
    input: &ConnectionInput,
    password: Option<Secret>,
) -> Result<dbm_engine::pg::ServerVersion, Problem> {
    let target = connections::target_of_input(input, password, Duration::from_secs(10))?;
    connections::test_target(&target).await
}

#[tokio::test]
async fn each_major_is_detected_and_stored_with_the_connection() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_in(dir.path()).unwrap());
    for major in MAJORS {
        let saved = Connections::new(&store)
            .create(&server(major), Some(&postgres_password()))
            .unwrap();
        let version = connections::test_saved(store.clone(), saved.id, Duration::from_secs(10))
            .await
            .unwrap_or_else(|p| panic!("server {major}: {p}"));
        assert_eq!(version.major, major);
        assert!(
            version.version.starts_with(&format!("{major}.")),
            "{version:?}"
        );
        let stored = Connections::new(&store).get(saved.id).unwrap();
        assert_eq!(stored.major_version, Some(major));
        assert_eq!(
            stored.server_version.as_deref(),
            Some(version.version.as_str())
        );
    }
}

#[tokio::test]
async fn the_password_is_in_the_keyring_and_nowhere_in_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let connections = Connections::new(&store);
    let password = unique_password("keyring");
    let saved = connections
        .create(&server(16), Some(&Secret::new(password.clone())))
        .unwrap();

    assert_eq!(
        connections.password(saved.id).unwrap().unwrap().expose(),
        password
    );
    let installation = store.installation_id().unwrap();
    let entry = keyring::Entry::new(
        dbm_engine::secrets::KEYRING_SERVICE,
        &format!("{installation}/connection/{}", saved.id),
    )
    .unwrap();
    assert_eq!(
        entry.get_password().unwrap(),
        password,
        "stored in the OS keyring itself"
    );

    // Update without a new password keeps it; the debug output of everything says nothing.
    let mut renamed = server(16);
    renamed.name = "renamed".into();
    let updated = connections
        .update(saved.id, &renamed, PasswordChange::Keep)
        .unwrap();
    assert_eq!(
        connections.password(saved.id).unwrap().unwrap().expose(),
        password
    );
    assert!(!format!("{updated:?}{saved:?}").contains(&password));
    assert!(!serde_json::to_string(&updated).unwrap().contains(&password));

    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes()),
            "{} contains the password",
            path.display()
        );
    }

    connections.delete(saved.id).unwrap();
    assert!(
        matches!(entry.get_password(), Err(keyring::Error::NoEntry)),
        "deleted with the connection"
    );
}

#[tokio::test]
async fn two_data_dirs_never_share_keyring_entries() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (store_a, store_b) = (
        Store::open_in(a.path()).unwrap(),
        Store::open_in(b.path()).unwrap(),
    );
    let one = Connections::new(&store_a)
        .create(&server(15), Some(&Secret::new("from-a")))
        .unwrap();
    let two = Connections::new(&store_b)
        .create(&server(15), Some(&Secret::new("from-b")))
        .unwrap();
    assert_eq!(
        one.id, two.id,
        "both are the first connection of their data dir"
    );
    assert_eq!(
        Connections::new(&store_a)
            .password(one.id)
            .unwrap()
            .unwrap()
            .expose(),
        "from-a"
    );
    assert_eq!(
        Connections::new(&store_b)
            .password(two.id)
            .unwrap()
            .unwrap()
            .expose(),
        "from-b"
    );
    Connections::new(&store_a).delete(one.id).unwrap();
    Connections::new(&store_b).delete(two.id).unwrap();
}

#[tokio::test]
async fn removing_and_replacing_the_password_on_update() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let connections = Connections::new(&store);
    let saved = connections
        .create(&server(17), Some(&Secret::new("first")))
        .unwrap();
    connections
        .update(
            saved.id,
            &server(17),
            PasswordChange::Set(Secret::new("second")),
        )
        .unwrap();
    assert_eq!(
        connections.password(saved.id).unwrap().unwrap().expose(),
        "second"
    );
    connections
        .update(saved.id, &server(17), PasswordChange::Remove)
        .unwrap();
    assert!(connections.password(saved.id).unwrap().is_none());
    connections.delete(saved.id).unwrap();
}

async fn expect_code(input: &ConnectionInput, password: Option<Secret>, code: &str) -> Problem {
    let problem = test_input(input, password).await.expect_err(code);
    assert_eq!(problem.code.as_str(), code, "{problem}");
    assert!(!problem.fix.is_empty());
    problem
}

#[tokio::test]
async fn a_wrong_password_is_named() {
    let problem = expect_code(
        &server(16),
        Some(Secret::new("not-the-password")),
        "wrong_password",
    )
    .await;
    assert!(
        !problem.to_string().contains("not-the-password"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_missing_database_is_named() {
    let mut missing = server(15);
    missing.database = "no_such_database_42".into();
    let problem = expect_code(&missing, Some(postgres_password()), "database_not_found").await;
    assert!(problem.message.contains("no_such_database_42"));
}

#[tokio::test]
async fn a_missing_role_is_named() {
    // Over TCP with password auth the server hides whether a role exists; locally (trust) it says.
    let socket = socket_dir().display().to_string();
    let local = input(
        "local",
        &socket,
        pg_port(14),
        "postgres",
        "no_such_role_42",
        SslMode::Disable,
    );
    let problem = expect_code(&local, None, "role_not_found").await;
    assert!(problem.message.contains("no_such_role_42"));
}

#[tokio::test]
async fn a_port_nobody_listens_on_is_connection_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let refused = input(
        "x",
        "127.0.0.1",
        port,
        "postgres",
        "postgres",
        SslMode::Prefer,
    );
    expect_code(&refused, None, "connection_refused").await;
}

#[tokio::test]
async fn an_unknown_host_name_is_named() {
    let unknown = input(
        "x",
        "no-such-host.invalid",
        5432,
        "postgres",
        "postgres",
        SslMode::Prefer,
    );
    let problem = expect_code(&unknown, None, "host_not_found").await;
    assert!(problem.message.contains("no-such-host.invalid"));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts the TCP connection (the kernel does) but never speaks PostgreSQL.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = input(
        "x",
        "127.0.0.1",
        port,
        "postgres",
        "postgres",
        SslMode::Disable,
    );
    let target = connections::target_of_input(&silent, None, Duration::from_millis(800)).unwrap();
    let started = std::time::Instant::now();
    let problem = connections::test_target(&target).await.unwrap_err();
    assert_eq!(problem.code, Code::ConnectTimeout, "{problem}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(listener);
}

#[tokio::test]
async fn tls_required_by_a_server_without_tls_is_named() {
    let mut require = server(17);
    require.sslmode = SslMode::Require;
    expect_code(&require, Some(postgres_password()), "tls_not_offered").await;
}

fn tls_server(sslmode: SslMode, host: &str) -> (ConnectionInput, Secret) {
    let major: u32 = env_or("DBM_PG_TLS_MAJOR", "18").parse().unwrap();
    let role = env_or("DBM_PG_TLS_ROLE", "tls_only");
    (
        input("tls", host, pg_port(major), "postgres", &role, sslmode),
        Secret::new(env_or("DBM_PG_TLS_PASSWORD", "tls_only")),
    )
}

#[tokio::test]
async fn a_server_that_requires_tls_is_named_and_reached_with_require() {
    let (plain, password) = tls_server(SslMode::Disable, "127.0.0.1");
    expect_code(&plain, Some(password.clone()), "tls_required").await;
    let (encrypted, password) = tls_server(SslMode::Require, "127.0.0.1");
    let version = test_input(&encrypted, Some(password.clone()))
        .await
        .unwrap();
    assert_eq!(version.major, 18);
    // prefer takes TLS when offered, so it works too.
    let (preferred, password) = tls_server(SslMode::Prefer, "127.0.0.1");
    test_input(&preferred, Some(password)).await.unwrap();
}

#[tokio::test]
async fn verify_full_checks_the_certificate_against_the_given_ca() {
    let ca = env_or(
        "DBM_PG_TLS_CA",
        &testenv_dir().join("pg/tls/ca.crt").display().to_string(),
    );
    // Without the CA the self-signed chain is refused ...
    std::env::set_var("PGSSLROOTCERT", "/etc/ssl/certs/ca-certificates.crt");
    let (full, password) = tls_server(SslMode::VerifyFull, "localhost");
    let problem = test_input(&full, Some(password.clone())).await.unwrap_err();
    assert!(problem.code.is_tls(), "{problem}");
    // ... and accepted with it, for the host name on the certificate.
    std::env::set_var("PGSSLROOTCERT", &ca);
    test_input(&full, Some(password.clone())).await.unwrap();
    let (verify_ca, password) = tls_server(SslMode::VerifyCa, "127.0.0.1");
    test_input(&verify_ca, Some(password)).await.unwrap();
}

#[test]
fn bad_fields_are_refused_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let connections = Connections::new(&store);
    type Spoil = fn(&mut ConnectionInput);
    let cases: [(&str, Spoil); 5] = [
        ("invalid_port", |i| i.port = "0".into()),
        ("invalid_port", |i| i.port = "70000".into()),
        ("invalid_port", |i| i.port = "abc".into()),
        ("invalid_host", |i| i.host = "".into()),
        ("invalid_name", |i| i.name = "x".repeat(501)),
    ];
    for (code, spoil) in cases {
        let mut bad = server(13);
        spoil(&mut bad);
        let problem = connections
            .create(&bad, Some(&Secret::new("pw")))
            .unwrap_err();
        assert_eq!(problem.code.as_str(), code, "{problem}");
    }
    assert!(connections.list().unwrap().is_empty());
}

#[test]
fn any_name_is_kept_as_typed_and_duplicates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let connections = Connections::new(&store);
    let names = [
        "Prod 🐘 données".to_string(),
        "it's \"quoted\" `back` $(rm -rf)".to_string(),
        "é".repeat(500),
        "../../etc/passwd".to_string(),
    ];
    let mut saved: Vec<Connection> = Vec::new();
    for name in &names {
        let mut named = server(13);
        named.name = name.clone();
        saved.push(connections.create(&named, None).unwrap());
        assert_eq!(connections.find(name).unwrap().name, *name);
    }
    let mut duplicate = server(14);
    duplicate.name = names[0].clone();
    let problem = connections.create(&duplicate, None).unwrap_err();
    assert_eq!(problem.code, Code::ConnectionNameTaken);
    assert!(problem.message.contains(&names[0]));
    assert_eq!(connections.list().unwrap().len(), names.len());
}

#[test]
fn a_keyring_that_cannot_be_reached_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    // This test runs in its own process (nextest), so changing the environment is safe.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/dbm-test-bus",
    );
    let problem = Connections::new(&store)
        .create(&server(13), Some(&Secret::new("pw")))
        .unwrap_err();
    assert_eq!(problem.code, Code::KeyringUnavailable, "{problem}");
    assert!(
        Connections::new(&store).list().unwrap().is_empty(),
        "nothing saved"
    );
}

#[test]
fn a_password_from_a_uri_or_pgpass_is_stored_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let connections = Connections::new(&store);

    let uri = "postgresql://postgres:p%40ss%3Aw%2Frd%25@127.0.0.1:54316/postgres";
    let from_uri = connections::parse_uri(uri).unwrap();
    let saved = connections
        .create_from(&from_uri.input, &PasswordSource::Uri { uri: uri.into() })
        .unwrap();
    assert_eq!(
        connections.password(saved.id).unwrap().unwrap().expose(),
        "p@ss:w/rd%"
    );

    let pgpass = dir.path().join("pgpass");
    std::fs::write(&pgpass, "127.0.0.1:54315:*:postgres:from\\:pgpass\n").unwrap();
    std::env::set_var("PGPASSFILE", &pgpass);
    let mut other = server(15);
    other.name = "from pgpass".into();
    let saved = connections
        .create_from(&other, &PasswordSource::Pgpass)
        .unwrap();
    assert_eq!(
        connections.password(saved.id).unwrap().unwrap().expose(),
        "from:pgpass"
    );
    other.port = "1".into();
    other.name = "no match".into();
    assert_eq!(
        connections
            .create_from(&other, &PasswordSource::Pgpass)
            .unwrap_err()
            .code,
        Code::PgpassNoMatch
    );
}
