import { describe, expect, it } from "vitest";
import { fieldForCode } from "./fields";

describe("fieldForCode", () => {
  it("puts each form's codes under that form's fields", () => {
    expect(fieldForCode("connection", "invalid_host")).toBe("host");
    expect(fieldForCode("connection", "pgpass_no_match")).toBe("password");
    expect(fieldForCode("schedule", "invalid_keep_last")).toBe("keepLast");
    expect(fieldForCode("schedule", "invalid_alert_after")).toBe("alertAfter");
    expect(fieldForCode("restore", "database_not_empty")).toBe("allowNonEmpty");
    expect(fieldForCode("settings", "invalid_backup_root")).toBe("backupRoot");
    expect(fieldForCode("schedule", "invalid_verify_every")).toBe("verifyEvery");
    expect(fieldForCode("schedule", "invalid_time_limit")).toBe("timeLimit");
    // The hooks as a group: schedules/form.ts narrows it to one hook by the message.
    expect(fieldForCode("schedule", "invalid_hook")).toBe("hooks");
  });

  it("puts the stall limit under each form's own field", () => {
    expect(fieldForCode("schedule", "invalid_stall_after")).toBe("stallAfter");
    expect(fieldForCode("settings", "invalid_stall_after")).toBe("stallAfterSeconds");
    expect(fieldForCode("settings", "invalid_time_limit")).toBeNull();
  });

  it("reads a code by the form it is shown in", () => {
    // A missing connection is the schedule's and the restore's connection field, not a field of the connection form.
    expect(fieldForCode("schedule", "connection_not_found")).toBe("connection");
    expect(fieldForCode("restore", "connection_not_found")).toBe("connection");
    expect(fieldForCode("connection", "connection_not_found")).toBeNull();
    expect(fieldForCode("settings", "invalid_name")).toBeNull();
  });

  it("maps the storage codes to fields or to groups storage/form.ts narrows by kind", () => {
    expect(fieldForCode("storage", "invalid_storage_name")).toBe("name");
    expect(fieldForCode("storage", "invalid_storage")).toBe("settings");
    expect(fieldForCode("storage", "storage_bucket_missing")).toBe("bucket");
    expect(fieldForCode("storage", "storage_unreachable")).toBe("address");
    expect(fieldForCode("storage", "storage_credentials")).toBe("credentials");
    expect(fieldForCode("storage", "storage_full")).toBeNull();
  });

  it("leaves no code, unknown codes and inherited names to the whole form", () => {
    expect(fieldForCode("connection", null)).toBeNull();
    expect(fieldForCode("schedule", "no_such_code")).toBeNull();
    expect(fieldForCode("schedule", "constructor")).toBeNull();
    expect(fieldForCode("settings", "toString")).toBeNull();
  });
});
