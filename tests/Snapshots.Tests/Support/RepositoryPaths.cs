namespace Snapshots.Tests.Support;

/// <summary>Paths in the repository (the samples among them), found by walking up from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>A Konfuzio SDK project export in the legacy layout (labels.json5, label_sets.json5).</summary>
    public static string KonfuzioProject46 => Path.Combine(Root, "samples", "konfuzio-project-46");

    /// <summary>The same project in the current SDK layout (categories_and_label_data.json5), derived from the legacy one.</summary>
    public static string KonfuzioProject46Current => Path.Combine(Root, "samples", "konfuzio-project-46-current", "data_46");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SnapshotFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("SnapshotFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
