namespace CommissioningActors.Host.Hosting;

/// <summary>`Storage` settings: where the embedded store lives.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The data directory (created owner-only); default: the user's local data folder.</summary>
    public string? Directory { get; set; }

    public string ResolveDirectory()
    {
        if (!string.IsNullOrWhiteSpace(Directory))
        {
            return Directory;
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return string.IsNullOrEmpty(local) ? "data" : Path.Combine(local, "commissioning-actors");
    }
}
