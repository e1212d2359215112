using Microsoft.Data.Sqlite;

namespace CommissioningActors.Core.Storage;

/// <summary>
/// The service's embedded SQLite file (fabric, nodes, network credentials, job history) under the data
/// directory. It holds private keys and Wi-Fi passwords, so the directory is created owner-only and the file
/// is always owner-only. The schema is versioned with <c>PRAGMA user_version</c> and migrated forward on open.
/// </summary>
public sealed class ServiceDatabase
{
    public const string FileName = "commissioning.db";

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _connectionString;

    private ServiceDatabase(string path)
    {
        FilePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString();
    }

    public string FilePath { get; }

    public static int CurrentSchemaVersion => StoreSchema.Migrations.Count;

    /// <summary>Opens the database in <paramref name="directory"/>, creating and migrating it as needed.</summary>
    /// <exception cref="StoreException">The directory or file cannot be used, or the schema is newer than this build.</exception>
    public static ServiceDatabase Open(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new StoreException("the data directory (Storage:Directory) is empty");
        }

        var full = Path.GetFullPath(directory);
        var path = Path.Combine(full, FileName);
        try
        {
            if (!Directory.Exists(full))
            {
                CreateDirectory(full);
            }

            if (!File.Exists(path))
            {
                CreateOwnerOnlyFile(path);
            }
            else if (!OperatingSystem.IsWindows())
            {
                // Tighten a file someone copied in with wider permissions: it holds the fabric's private keys.
                File.SetUnixFileMode(path, OwnerOnlyFile);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"cannot use the data directory {full}: {e.Message}", e);
        }

        var database = new ServiceDatabase(path);
        database.Migrate();
        return database;
    }

    internal SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private void Migrate()
    {
        using var connection = Connect();
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > CurrentSchemaVersion)
        {
            throw new StoreException(
                $"{FilePath} has schema version {version}, newer than this build understands ({CurrentSchemaVersion}); refusing to touch it");
        }

        for (var next = version; next < CurrentSchemaVersion; next++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = StoreSchema.Migrations[next] + $"\nPRAGMA user_version = {next + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

    private static void CreateOwnerOnlyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        using var _ = new FileStream(path, options);
    }
}

/// <summary>The store cannot be opened or used; the message names the file, never a key or secret.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
