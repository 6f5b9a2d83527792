namespace Snapshots.Storage;

/// <summary>Names of the two blob service clients: the environment's own data and the (possibly shared) snapshot storage.</summary>
public static class BlobClientNames
{
    public const string Data = "data";
    public const string Snapshots = "snapshots";

    /// <summary>The snapshot storage without the secondary fallback: for reading what guards a delete (reader marks), never stale.</summary>
    public const string SnapshotsPrimary = "snapshots-primary";

    public const string DataSection = "DataStorage";
}
