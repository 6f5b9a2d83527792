namespace Snapshots.Storage;

/// <summary>Containers of the data storage account; the snapshot container is configurable.</summary>
public static class BlobContainerNames
{
    public const string Documents = "documents";
    public const string Models = "models";
    public const string Imports = "imports";

    /// <summary>What each published restore added, for its revert (one blob per restore).</summary>
    public const string Ledgers = "ledgers";
}
