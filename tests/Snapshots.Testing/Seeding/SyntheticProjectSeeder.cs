using System.Text.Json;
using Snapshots.Projects;

namespace Snapshots.Testing.Seeding;

/// <summary>The shape of a synthetic project.</summary>
public sealed record SeedSpec
{
    public string Name { get; init; } = "Synthetic project";

    public int Documents { get; init; } = 100;

    public int AnnotationsPerDocument { get; init; } = 10;

    /// <summary>At least 9 gives every type and state (see <see cref="SyntheticProjectSeeder.AiVariants"/>).</summary>
    public int Ais { get; init; } = 9;

    public int DocumentFileBytes { get; init; } = 50 * 1024;

    public int ModelFileBytes { get; init; } = 64 * 1024;

    public int Categories { get; init; } = 2;

    public int LabelsPerCategory { get; init; } = 5;
}

/// <summary>
/// Builds synthetic projects of any size for tests and benchmarks, straight through the stores: documents with
/// every dataset status, annotation sets and annotations, files, and AIs of every type and state.
/// </summary>
public sealed class SyntheticProjectSeeder(ProjectStore store, ProjectFiles files, TimeProvider clock)
{
    private const int WriteConcurrency = 16;

    /// <summary>Type, categorization kind, training status, active flag and model version of the seeded AIs, in turn.</summary>
    public static IReadOnlyList<(AiType Type, CategorizationKind? Kind, AiTrainingStatus Status, bool Active, string Version)> AiVariants { get; } =
    [
        (AiType.Extraction, null, AiTrainingStatus.Done, true, "2.0.0"),
        (AiType.Splitting, null, AiTrainingStatus.Done, true, "2.0.0"),
        (AiType.Categorization, CategorizationKind.Model, AiTrainingStatus.Done, true, "2.0.0"),
        (AiType.Categorization, CategorizationKind.NameBased, AiTrainingStatus.Done, true, "2.0.0"),
        (AiType.Categorization, CategorizationKind.Model, AiTrainingStatus.Done, true, "0.1.0"),
        (AiType.Extraction, null, AiTrainingStatus.Done, false, "2.0.0"),
        (AiType.Extraction, null, AiTrainingStatus.Training, true, "2.0.0"),
        (AiType.Splitting, null, AiTrainingStatus.Failed, false, "2.0.0"),
        (AiType.Extraction, null, AiTrainingStatus.Queued, false, "2.0.0"),
    ];

    public async Task<string> SeedAsync(SeedSpec spec, IProgress<int>? documentsDone = null, CancellationToken cancellationToken = default)
    {
        var project = new Project { Id = Guid.NewGuid().ToString("N"), Name = spec.Name, CreatedAt = clock.GetUtcNow() };
        await store.UpsertAsync(project.Id, project with { Status = ProjectStatus.Importing }, cancellationToken);

        var categories = Enumerable.Range(1, spec.Categories).Select(c => new Category { Id = $"c{c}", Name = $"Category {c}", Description = "seeded" }).ToList();
        var labels = categories.SelectMany(c => Enumerable.Range(1, spec.LabelsPerCategory).Select(l => new Label
        {
            Id = $"{c.Id}-l{l}",
            Name = $"{c.Name} label {l}",
            DataType = l % 2 == 0 ? "Number" : "Text",
            Threshold = 0.1 * l,
            Extra = new() { ["colour"] = JsonSerializer.SerializeToElement($"#{l:D2}{l:D2}{l:D2}") },
        })).ToList();
        var labelSets = categories.Select(c => new LabelSet
        {
            Id = $"{c.Id}-set",
            Name = c.Name,
            IsDefault = true,
            LabelIds = labels.Where(l => l.Id.StartsWith(c.Id + "-", StringComparison.Ordinal)).Select(l => l.Id).ToList(),
            CategoryIds = [c.Id],
        }).ToList();
        await ForEachAsync(categories, c => store.UpsertAsync(project.Id, c, cancellationToken), cancellationToken);
        await ForEachAsync(labels, l => store.UpsertAsync(project.Id, l, cancellationToken), cancellationToken);
        await ForEachAsync(labelSets, s => store.UpsertAsync(project.Id, s, cancellationToken), cancellationToken);

        var fileContent = new byte[spec.DocumentFileBytes];
        Random.Shared.NextBytes(fileContent);
        var done = 0;
        await ForEachAsync(Enumerable.Range(0, spec.Documents), async index =>
        {
            await SeedDocumentAsync(project.Id, index, spec, categories, labelSets, labels, fileContent, cancellationToken);
            documentsDone?.Report(Interlocked.Increment(ref done));
        }, cancellationToken);

        var modelContent = new byte[spec.ModelFileBytes];
        Random.Shared.NextBytes(modelContent);
        await ForEachAsync(Enumerable.Range(0, spec.Ais), async index =>
        {
            var (type, kind, status, active, version) = AiVariants[index % AiVariants.Count];
            var id = $"ai{index}";
            var model = kind == CategorizationKind.NameBased
                ? []
                : new List<StoredFile> { await files.UploadModelFileAsync(project.Id, id, "model.bin", new MemoryStream(modelContent), cancellationToken) };
            await store.UpsertAsync(project.Id, new AiModel
            {
                Id = id,
                Name = $"{type} AI {index}",
                Type = type,
                CategorizationKind = kind,
                TrainingStatus = status,
                Active = active,
                ModelVersion = version,
                TrainedAt = status == AiTrainingStatus.Done ? clock.GetUtcNow().AddDays(-index) : null,
                CategoryId = categories[index % categories.Count].Id,
                Files = model,
                Extra = new() { ["hyperparameters"] = JsonSerializer.SerializeToElement(new { epochs = 10 + index }) },
            }, cancellationToken);
        }, cancellationToken);

        await store.SaveProjectAsync(project, cancellationToken);
        return project.Id;
    }

    private async Task SeedDocumentAsync(
        string projectId, int index, SeedSpec spec, List<Category> categories, List<LabelSet> labelSets, List<Label> labels, byte[] fileContent,
        CancellationToken cancellationToken)
    {
        var documentId = $"d{index}";
        var category = categories[index % categories.Count];
        var labelSet = labelSets[index % labelSets.Count];
        var set = new AnnotationSet { Id = $"{documentId}-s", DocumentId = documentId, LabelSetId = labelSet.Id };
        await store.UpsertDocumentItemAsync(projectId, documentId, set, cancellationToken);
        for (var a = 0; a < spec.AnnotationsPerDocument; a++)
        {
            await store.UpsertDocumentItemAsync(projectId, documentId, new Annotation
            {
                Id = $"{documentId}-a{a}",
                DocumentId = documentId,
                AnnotationSetId = set.Id,
                LabelSetId = labelSet.Id,
                LabelId = labelSet.LabelIds[a % labelSet.LabelIds.Count],
                OffsetString = $"value {a}",
                StartOffset = a * 10,
                EndOffset = a * 10 + 7,
                IsCorrect = a % 3 != 0,
                Confidence = 0.5 + (a % 5) / 10.0,
            }, cancellationToken);
        }

        var file = await files.UploadDocumentFileAsync(projectId, documentId, "document.pdf", new MemoryStream(fileContent), cancellationToken);
        await store.UpsertAsync(projectId, new Document
        {
            Id = documentId,
            Name = $"document-{index}.pdf",
            // Cycles through every status: None, Preparation, Training, Test, Excluded, with Training most common.
            DatasetStatus = (index % 7) switch { 0 => DatasetStatus.None, 1 => DatasetStatus.Preparation, 5 => DatasetStatus.Test, 6 => DatasetStatus.Excluded, _ => DatasetStatus.Training },
            CategoryId = category.Id,
            NumberOfPages = 1,
            Files = [file],
            AnnotationSetCount = 1,
            AnnotationCount = spec.AnnotationsPerDocument,
        }, cancellationToken);
    }

    private static Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> action, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken },
            async (item, _) => await action(item));
}
