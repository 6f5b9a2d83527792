namespace Snapshots.Storage;

/// <summary>Names of the two blob service clients: the environment's own data and the (possibly shared) snapshot storage.</summary>
public static class BlobClientNames
{
    public const string Data = "data";
    public const string Snapshots = "snapshots";

    public const string DataSection = "DataStorage";
}
