using Snapshots.Create;
using Snapshots.Projects;

namespace Snapshots.Tests.Unit;

public sealed class SnapshotRulesTests
{
    [Theory]
    [InlineData(DatasetStatus.None, false)]
    [InlineData(DatasetStatus.Preparation, false)]
    [InlineData(DatasetStatus.Training, true)]
    [InlineData(DatasetStatus.Test, true)]
    [InlineData(DatasetStatus.Excluded, false)]
    public void Dataset_mode_keeps_training_and_test_documents_only(DatasetStatus status, bool included) =>
        Assert.Equal(included, SnapshotRules.IncludesDocument(status));

    [Theory]
    [InlineData(AiType.Extraction, AiTrainingStatus.Done, true, true)]
    [InlineData(AiType.Splitting, AiTrainingStatus.Done, true, true)]
    [InlineData(AiType.Categorization, AiTrainingStatus.Done, true, true)]
    [InlineData(AiType.Extraction, AiTrainingStatus.Done, false, false)]
    [InlineData(AiType.Extraction, AiTrainingStatus.Training, true, false)]
    [InlineData(AiType.Splitting, AiTrainingStatus.Failed, true, false)]
    [InlineData(AiType.Extraction, AiTrainingStatus.Queued, true, false)]
    public void Ai_mode_keeps_trained_and_active_ais(AiType type, AiTrainingStatus status, bool active, bool included)
    {
        var decision = SnapshotRules.Decide(Ai(type, status, active, "2.0.0"), "1.0.0");

        Assert.Equal(included, decision.Include);
        Assert.Null(decision.Warning);
    }

    [Fact]
    public void A_name_based_categorization_ai_is_left_out_with_how_to_recreate_it()
    {
        var decision = SnapshotRules.Decide(Ai(AiType.Categorization, AiTrainingStatus.Done, true, "2.0.0") with { CategorizationKind = CategorizationKind.NameBased }, "1.0.0");

        Assert.False(decision.Include);
        Assert.Contains("upload one document to the restored project while no other categorization AI is active", decision.Warning);
    }

    [Theory]
    [InlineData("0.9.9", false)]
    [InlineData("1.0.0", true)]
    [InlineData("1.10.0", true)]
    [InlineData(null, false)]
    [InlineData("latest", false)]
    public void A_categorization_ai_older_than_the_cut_off_is_left_out_with_retrain_before_snapshot(string? version, bool included)
    {
        var decision = SnapshotRules.Decide(Ai(AiType.Categorization, AiTrainingStatus.Done, true, version), "1.0.0");

        Assert.Equal(included, decision.Include);
        Assert.Equal(included, decision.Warning is null);
        if (!included)
        {
            Assert.Contains("retrain before snapshot", decision.Warning);
        }
    }

    [Fact]
    public void The_version_cut_off_applies_to_categorization_only()
    {
        Assert.True(SnapshotRules.Decide(Ai(AiType.Extraction, AiTrainingStatus.Done, true, "0.1.0"), "1.0.0").Include);
    }

    private static AiModel Ai(AiType type, AiTrainingStatus status, bool active, string? version) => new()
    {
        Id = "a",
        Name = $"{type} AI",
        Type = type,
        TrainingStatus = status,
        Active = active,
        ModelVersion = version,
        CategorizationKind = type == AiType.Categorization ? CategorizationKind.Model : null,
    };
}
