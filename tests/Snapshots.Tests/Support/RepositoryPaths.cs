namespace Snapshots.Tests.Support;

/// <summary>Paths in the repository and beside it (the shared fixtures), found by walking up from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string KonfuzioProject46 => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures", "konfuzio-project-46"));

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
