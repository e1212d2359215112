using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CommissioningActors.Core.Storage;

/// <summary>Column conversions shared by the stores: u64 ids in SQLite's signed INTEGER, instants as round-trip text.</summary>
internal static class StoreValues
{
    public static long ToColumn(ulong value) => unchecked((long)value);

    public static ulong ToUInt64(SqliteDataReader reader, int ordinal) => unchecked((ulong)reader.GetInt64(ordinal));

    public static string ToColumn(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static object ToColumn(DateTimeOffset? value) => value is { } v ? ToColumn(v) : DBNull.Value;

    public static object ToColumn(string? value) => value is null ? DBNull.Value : value;

    public static DateTimeOffset ToInstant(SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ToOptionalInstant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ToInstant(reader, ordinal);

    public static string? ToOptionalString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static byte[] ToBytes(SqliteDataReader reader, int ordinal) => (byte[])reader.GetValue(ordinal);

    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
