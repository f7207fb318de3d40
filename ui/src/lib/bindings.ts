// Generated from Rust by src-tauri/tests/bindings.rs (UPDATE_BINDINGS=1 cargo test -p dbm-app --test bindings). Do not edit.
import { invoke } from "@tauri-apps/api/core";

/**
 * A check that failed: what is wrong and what to do about it.
 */
export type Problem = { code: string, message: string, fix: string, };

/**
 * The app's own database: its schema, or why it cannot be used.
 */
export type DatabaseCheck = { path: string, schemaVersion: number | null, supportedSchemaVersion: number, problem: Problem | null, };

/**
 * What the Docker daemon said when asked, or why it could not be asked.
 */
export type DockerCheck = { version: string | null, apiVersion: string | null, problem: Problem | null, };

/**
 * Whether passwords can be stored and read, and in which store.
 */
export type KeyringCheck = { backend: string, problem: Problem | null, };

/**
 * The Dashboard's view of the system.
 */
export type SystemStatus = { appVersion: string, dataDir: string, database: DatabaseCheck, docker: DockerCheck, keyring: KeyringCheck, };

/**
 * Every command rejects with this shape.
 */
export type AppError = { code: string, message: string, };

/** Every command; each rejects with an `AppError`. */
export const commands = {
  systemStatus: () => invoke<SystemStatus>("system_status"),
};
