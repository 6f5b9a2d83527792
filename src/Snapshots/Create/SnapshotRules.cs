using Snapshots.Projects;
using Snapshots.Records;

namespace Snapshots.Create;

/// <summary>What a snapshot does with one AI.</summary>
public sealed record AiDecision(bool Include, string? Warning)
{
    public static AiDecision Included { get; } = new(true, null);

    public static AiDecision Skipped { get; } = new(false, null);

    public static AiDecision Excluded(string warning) => new(false, warning);
}

/// <summary>The mode rules of DESIGN.md section 1: what dataset and AI mode put into a snapshot.</summary>
public static class SnapshotRules
{
    public static bool IncludesDocuments(IReadOnlyCollection<SnapshotMode> modes) => modes.Contains(SnapshotMode.Dataset);

    public static bool IncludesAis(IReadOnlyCollection<SnapshotMode> modes) => modes.Contains(SnapshotMode.Ai);

    /// <summary>Dataset mode keeps Training and Test documents only, never None, Preparation or Excluded.</summary>
    public static bool IncludesDocument(DatasetStatus status) => status is DatasetStatus.Training or DatasetStatus.Test;

    /// <summary>
    /// AI mode keeps trained (done) and active AIs of the three types. Name-based categorization AIs and
    /// categorization AIs from a model version older than the cut-off are left out with a warning saying what to do.
    /// </summary>
    public static AiDecision Decide(AiModel ai, string minimumCategorizationVersion)
    {
        if (ai.TrainingStatus != AiTrainingStatus.Done || !ai.Active || !Enum.IsDefined(ai.Type))
        {
            return AiDecision.Skipped;
        }

        if (ai.Type != AiType.Categorization)
        {
            return AiDecision.Included;
        }

        if (ai.CategorizationKind == CategorizationKind.NameBased)
        {
            return AiDecision.Excluded(
                $"Name-based categorization AI '{ai.Name}' is not included. To recreate it, upload one document to the restored " +
                "project while no other categorization AI is active.");
        }

        return IsOlder(ai.ModelVersion, minimumCategorizationVersion)
            ? AiDecision.Excluded(
                $"Categorization AI '{ai.Name}' was trained by model version {ai.ModelVersion ?? "unknown"}, older than " +
                $"{minimumCategorizationVersion}: retrain before snapshot.")
            : AiDecision.Included;
    }

    /// <summary>An unknown or unreadable version counts as older: it cannot be shown to be recent enough.</summary>
    private static bool IsOlder(string? version, string minimum) =>
        !Version.TryParse(version, out var actual) || (Version.TryParse(minimum, out var cutOff) && actual < cutOff);
}
