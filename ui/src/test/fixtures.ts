import type {
  Backup,
  Connection,
  Copy,
  HookResult,
  KeyInfo,
  Location,
  Problem,
  Proof,
  Schedule,
  SetPart,
  Stats,
  SystemStatus,
} from "../lib/bindings";

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
    health: [],
  };
}

export const dockerDown: Problem = {
  code: "docker_unreachable",
  message: "Docker is not running or its socket cannot be reached.",
  fix: "Start Docker Desktop (or the docker service) and press Refresh.",
};

export const schemaTooNew: Problem = {
  code: "database_newer_schema",
  message: "The database was written by a newer version of this app.",
  fix: "Install the latest version of DB Backup Manager.",
};

export const keyringLocked: Problem = {
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
    removedAt: null,
    scope: { allDatabases: false, include: [], exclude: [] },
    ...overrides,
  };
}

/** A whole-server connection (id 3): every database but the *_test ones; tests override parts of it. */
export function serverConnection(overrides: Partial<Connection> = {}): Connection {
  return savedConnection({
    id: 3,
    name: "cluster",
    host: "pg.example.com",
    database: "postgres",
    username: "postgres",
    scope: { allDatabases: true, include: [], exclude: ["*_test"] },
    ...overrides,
  });
}

/** One completed database of a set (custom format); tests override parts of it. */
export function setPart(overrides: Partial<SetPart> = {}): SetPart {
  const database = overrides.database ?? "app";
  const position = overrides.position ?? 1;
  return {
    position,
    database,
    status: "completed",
    filePath: `/home/ada/Backups/cluster/cluster-20260501-090000.set/${String(position).padStart(2, "0")}-${database}.dump`,
    sizeBytes: 1_048_576,
    sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    databaseSizeBytes: 8_388_608,
    errorMessage: null,
    ...overrides,
  };
}

/**
 * A server set of connection 3 (id 20): 4 of its 5 databases dumped, `legacy` failed, so the set
 * is partial; globals without role passwords. Tests override parts of it.
 */
export function serverSetRecord(overrides: Partial<Backup> = {}): Backup {
  const parts = [
    setPart({ position: 1, database: "app" }),
    setPart({ position: 2, database: "shop", sizeBytes: 2_097_152 }),
    setPart({ position: 3, database: "shop_eu", sizeBytes: 524_288 }),
    setPart({
      position: 4,
      database: "legacy",
      status: "failed",
      filePath: null,
      sizeBytes: null,
      sha256: null,
      errorMessage: 'pg_dump: error: query failed: ERROR: permission denied for table "audit"',
    }),
    setPart({ position: 5, database: "analytics", sizeBytes: 3_145_728 }),
  ];
  return backupRecord({
    id: 20,
    connectionId: 3,
    connectionName: "cluster",
    status: "partial",
    filePath: "/home/ada/Backups/cluster/cluster-20260501-090000.set",
    sizeBytes: 6_819_840,
    errorMessage: '1 of 5 parts failed: legacy: pg_dump: error: query failed: ERROR: permission denied for table "audit"',
    log: null,
    kind: "server",
    parts,
    globals: {
      status: "completed",
      filePath: "/home/ada/Backups/cluster/cluster-20260501-090000.set/globals.sql",
      sizeBytes: 4_096,
      sha256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
      rolePasswords: false,
      errorMessage: null,
    },
    ...overrides,
  });
}

/** A completed backup of connection 1 (1.2 MiB in 3 s); tests override parts of it. */
export function backupRecord(overrides: Partial<Backup> = {}): Backup {
  return {
    id: 7,
    connectionId: 1,
    connectionName: "production",
    connectionRemoved: false,
    scheduleId: null,
    trigger: "manual",
    status: "completed",
    filePath: "/home/ada/Backups/production/production-20260501-090000.dump",
    sizeBytes: 1_258_291,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    format: "custom",
    compression: "zstd:3",
    runner: "docker",
    runnerDetail: "postgres:16",
    pgDumpVersion: "16.4",
    serverVersion: "16.2",
    startedAt: "2026-05-01T09:00:00Z",
    completedAt: "2026-05-01T09:00:03Z",
    errorMessage: null,
    log: "pg_dump: dumping contents of table \"public.orders\"\npg_dump: saving database definition",
    durationSeconds: 3,
    fileState: null,
    verifiedAt: null,
    verification: null,
    options: null,
    unusual: [],
    hooks: [],
    kind: "database",
    localRemovedAt: null,
    parts: [],
    globals: null,
    ...overrides,
  };
}

/** An active nightly schedule of connection 1 whose last run completed; tests override parts of it. */
export function savedSchedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: 3,
    name: "production nightly",
    connectionId: 1,
    cron: "30 2 * * *",
    timezone: "Europe/Berlin",
    description: "at 02:30, every day",
    isActive: true,
    format: "custom",
    compression: { method: "auto" },
    keepLast: 7,
    keepDays: null,
    alertAfterSeconds: null,
    verifyEverySeconds: null,
    stallAfterSeconds: null,
    timeLimitSeconds: null,
    hooks: {},
    lastProof: null,
    copies: { to: [], encrypt: false, keepLocal: true },
    lastRunAt: "2026-05-01T00:30:00Z",
    nextRunAt: "2026-05-02T00:30:00Z",
    lastBackupId: 7,
    lastStatus: "completed",
    lastError: null,
    createdAt: "2026-04-01T09:00:00Z",
    updatedAt: "2026-05-01T00:30:05Z",
    ...overrides,
  };
}

/** A passed proof (verify by restore) of schedule 3's backup 7; tests override parts of it. */
export function proofRecord(overrides: Partial<Proof> = {}): Proof {
  return {
    id: 11,
    scheduleId: 3,
    backupId: 7,
    startedAt: "2026-05-01T03:00:00Z",
    finishedAt: "2026-05-01T03:02:10Z",
    ok: true,
    error: null,
    ...overrides,
  };
}

/** A ping hook that answered HTTP 200; tests override parts of it. */
export function hookResult(overrides: Partial<HookResult> = {}): HookResult {
  return {
    hook: "ping",
    target: "https://hc-ping.com/5f2c/success",
    ok: true,
    detail: "HTTP 200",
    seconds: 0.21,
    ...overrides,
  };
}

/** The statistics of a library without backups; tests override parts of it. */
export function emptyStats(overrides: Partial<Stats> = {}): Stats {
  return {
    total: 0,
    completed: 0,
    failed: 0,
    running: 0,
    cancelled: 0,
    interrupted: 0,
    partial: 0,
    sets: 0,
    setDatabases: 0,
    recordedBytes: 0,
    bytesOnDisk: 0,
    successRate: null,
    successRate30Days: null,
    connections: [],
    ...overrides,
  };
}

/** A folder location (id 1, "nas") that keeps everything; tests override parts of it. */
export function savedLocation(overrides: Partial<Location> = {}): Location {
  return {
    id: 1,
    name: "nas",
    settings: { kind: "folder", path: "/mnt/nas/backups" },
    keepLast: null,
    keepDays: null,
    createdAt: "2026-04-20T08:00:00Z",
    ...overrides,
  };
}

/** Backup 7's copy in location 1 ("nas"), copied and not encrypted; tests override parts of it. */
export function copyRecord(overrides: Partial<Copy> = {}): Copy {
  return {
    backupId: 7,
    locationId: 1,
    locationName: "nas",
    state: "copied",
    manifestKey: "production/production-20260501-090000.dump.manifest.json",
    encrypted: false,
    recipients: [],
    sizeBytes: 1_258_291,
    bytesDone: 1_258_291,
    attempts: 1,
    errorMessage: null,
    startedAt: "2026-05-01T09:00:04Z",
    finishedAt: "2026-05-01T09:00:06Z",
    verifiedAt: null,
    imported: false,
    ...overrides,
  };
}

/** This installation's key, never exported; tests override parts of it. */
export function keyInfo(overrides: Partial<KeyInfo> = {}): KeyInfo {
  return {
    recipient: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
    extraRecipients: [],
    exportedAt: null,
    ...overrides,
  };
}
