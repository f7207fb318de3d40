//! The real parts the product depends on are there: PostgreSQL 13–18 answer on loopback and
//! each `postgres:<major>` image runs its own pg_dump through the Docker API.
//! `scripts/testenv/up.sh` starts them (cargo xtask test does).

use dbm_engine::docker;
use dbm_engine::model::Code;

const MAJORS: [u32; 6] = [13, 14, 15, 16, 17, 18];

/// The port scripts/testenv/up.sh gave server `major` (its env file is exported by session.sh).
fn port_of(major: u32) -> u16 {
    std::env::var(format!("DBM_PG{major}_PORT"))
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(54300 + major as u16)
}

#[tokio::test]
async fn each_test_server_reports_its_major_version() {
    for major in MAJORS {
        let config = format!(
            "host=127.0.0.1 port={} user=postgres password=postgres dbname=postgres connect_timeout=10",
            port_of(major)
        );
        let (client, connection) = tokio_postgres::connect(&config, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("server {major} on port {}: {e}", port_of(major)));
        let task = tokio::spawn(connection);
        let row = client
            .query_one("SHOW server_version_num", &[])
            .await
            .unwrap();
        let number: i32 = row.get::<_, String>(0).parse().unwrap();
        assert_eq!(number as u32 / 10_000, major, "server_version_num {number}");
        drop(client);
        let _ = task.await;
    }
}

#[tokio::test]
async fn each_postgres_image_runs_pg_dump_of_its_major() {
    let client = docker::connect()
        .await
        .expect("the Docker daemon is running");
    let images = docker::postgres_images(&client, docker::DEFAULT_IMAGE_TEMPLATE)
        .await
        .unwrap();
    for major in MAJORS {
        let image = format!("postgres:{major}");
        assert!(
            images
                .iter()
                .any(|i| i.reference == image && i.major == Some(major)),
            "{image} is listed: {images:?}"
        );
        let version = docker::pg_dump_version_of_image(&client, &image)
            .await
            .unwrap_or_else(|p| panic!("{image}: {}", p.message));
        let (_, found) = dbm_engine::dump::local_binaries::parse_version_line(&version).unwrap();
        assert_eq!(found, major, "{image} says {version}");
    }
}

#[tokio::test]
async fn a_missing_image_is_named_with_how_to_get_it() {
    let client = docker::connect()
        .await
        .expect("the Docker daemon is running");
    let problem = docker::run_to_completion(&client, "postgres:does-not-exist-42", &["true"])
        .await
        .unwrap_err();
    assert_eq!(problem.code, Code::DockerImageMissing, "{problem:?}");
    assert!(problem.message.contains("postgres:does-not-exist-42"));
    assert!(problem
        .fix
        .contains("docker pull postgres:does-not-exist-42"));
}
