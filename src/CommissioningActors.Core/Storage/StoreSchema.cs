namespace CommissioningActors.Core.Storage;

/// <summary>
/// Schema migrations, oldest first; entry i moves a database from user_version i to i + 1. Append only:
/// a released migration is never edited, a change is a new entry.
/// </summary>
internal static class StoreSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE fabric (
            id                  INTEGER PRIMARY KEY CHECK (id = 1),
            fabric_id           INTEGER NOT NULL,
            admin_vendor_id     INTEGER NOT NULL,
            root_key            BLOB    NOT NULL,
            root_cert           BLOB    NOT NULL,
            ipk                 BLOB    NOT NULL,
            controller_node_id  INTEGER NOT NULL,
            controller_key      BLOB    NOT NULL,
            controller_noc      BLOB    NOT NULL,
            next_node_id        INTEGER NOT NULL,
            created_at          TEXT    NOT NULL
        );
        CREATE TABLE nodes (
            node_id             INTEGER PRIMARY KEY,
            vendor_id           INTEGER NOT NULL,
            product_id          INTEGER NOT NULL,
            label               TEXT,
            transport           TEXT    NOT NULL,
            addresses           TEXT    NOT NULL,
            commissioned_at     TEXT    NOT NULL,
            last_seen           TEXT
        );
        CREATE TABLE network_credentials (
            kind                TEXT    PRIMARY KEY CHECK (kind IN ('wifi', 'thread')),
            ssid                TEXT,
            secret              BLOB    NOT NULL,
            updated_at          TEXT    NOT NULL
        );
        CREATE TABLE jobs (
            job_id              TEXT    PRIMARY KEY,
            label               TEXT,
            status              TEXT    NOT NULL,
            created_at          TEXT    NOT NULL,
            started_at          TEXT,
            finished_at         TEXT,
            error_code          TEXT,
            error_message       TEXT,
            result              TEXT,
            output_lines        INTEGER NOT NULL,
            output_elided       INTEGER NOT NULL,
            output              TEXT    NOT NULL
        );
        CREATE INDEX jobs_by_finish ON jobs (finished_at);
        """,
    ];
}
