using Snapshots.Archive;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>What a restore leaves out, as pure rules the restore and its dry run share.</summary>
public static class RestoreRules
{
    /// <summary>Why an AI of the archive is not restored, or null when it is.</summary>
    public static string? LeftOutReason(AiModel ai) =>
        ai.Type == AiType.Categorization && ai.CategorizationKind == CategorizationKind.NameBased
            ? $"Name-based categorization AI '{ai.Name}' was not restored: upload one document to the project while no other categorization AI is active to recreate it."
            : null;

    /// <summary>The source project's files the archive holds: a new project takes them, a merge keeps the target's own.</summary>
    public static List<StoredFile> ProjectFilesIn(Project? source, Func<string, bool> archiveHas) =>
        source?.Files.Where(f => archiveHas(ArchiveEntries.ProjectFile(f.Name))).ToList() ?? [];

    /// <summary>Why a merge leaves the archive's project files out.</summary>
    public const string ProjectFileLeftOutReason = "a merge keeps the target project's own project files";
}
