import type { Connection, SystemStatus } from "../lib/bindings";

/** A status where every check passed. Tests override parts of it. */
export function okStatus(): SystemStatus {
  return {
    appVersion: "0.3.1",
    dataDir: "/home/ada/.local/share/db-backup-manager",
    database: {
      path: "/home/ada/.local/share/db-backup-manager/app.db",
      schemaVersion: 4,
      supportedSchemaVersion: 4,
      problem: null,
    },
    docker: { version: "27.3.1", apiVersion: "1.47", problem: null },
    keyring: { backend: "Secret Service", problem: null },
  };
}

export const dockerDown = {
  code: "docker_unreachable",
  message: "Docker is not running or its socket cannot be reached.",
  fix: "Start Docker Desktop (or the docker service) and press Refresh.",
};

export const schemaTooNew = {
  code: "schema_newer",
  message: "The database was written by a newer version of this app.",
  fix: "Install the latest version of DB Backup Manager.",
};

export const keyringLocked = {
  code: "keyring_locked",
  message: "The system keyring is locked.",
  fix: "Unlock your login keyring, then press Refresh.",
};

/** A saved connection; tests override parts of it. */
export function savedConnection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 1,
    name: "production",
    host: "db.example.com",
    port: 5432,
    database: "app",
    username: "backup",
    sslmode: "require",
    serverVersion: "16.4",
    majorVersion: 16,
    isActive: true,
    createdAt: "2026-05-01T09:00:00Z",
    updatedAt: "2026-05-01T09:00:00Z",
    ...overrides,
  };
}
