using Microsoft.Extensions.DependencyInjection;
using Snapshots.Projects;
using Snapshots.Restore;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>
/// What reads see of a restore's items against the real Cosmos emulator: nothing while staged, everything once
/// published, still everything after the fold-in; and a reader that fixed an older generation (a snapshot export)
/// sees none of it, before or after the fold-in.
/// </summary>
[Collection(RestoreSafetyTestGroup.Name)]
public sealed class VisibilityTests(ServiceFixture service)
{
    private ProjectStore Store => service.Services.GetRequiredService<ProjectStore>();

    [Fact]
    public async Task Staged_items_show_from_their_publish_on_and_never_to_a_reader_of_an_earlier_generation()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(new SeedSpec { Documents = 3, Ais = 0, AnnotationsPerDocument = 1 });
        var request = new RestoreRequest("visibility-" + Guid.NewGuid().ToString("N"), "snp-none", projectId, Merge: true, NewProject: false);
        var set = (await Store.ListAsync<LabelSet>(projectId, default).CollectAsync()).First();
        await Store.UpsertAsync(projectId, new Document { Id = "restored", Name = "restored.pdf" }, default, stagedBy: request.RestoreId);
        await Store.UpsertAsync(projectId, new Label { Id = "restored-label", Name = "Restored" }, default, stagedBy: request.RestoreId);
        await Store.UpsertAsync(projectId, new LabelSetExtension { Id = "ext", LabelSetId = set.Id, LabelIds = ["restored-label"] }, default, stagedBy: request.RestoreId);
        var generationBefore = (await Store.GetAsync<Project>(projectId, projectId, default))!.Publication?.Generation ?? 0;

        Assert.Equal((3, false, false), await SeenAsync(projectId, null));

        await Store.UpdateProjectAsync(projectId, p => p with { Publication = new ProjectPublication { ActiveRestoreId = request.RestoreId } }, default);
        var generation = await service.Services.GetRequiredService<RestorePublisher>().PublishAsync(Completion(request), default);

        Assert.Equal(generationBefore + 1, generation);
        Assert.Equal((4, true, true), await SeenAsync(projectId, null));
        Assert.Equal((3, false, false), await SeenAsync(projectId, generationBefore));

        await service.Services.GetRequiredService<RestorePublisher>().FoldInAsync(new PublishedRestoreRef(request, generation), default);

        Assert.Empty(await Store.ListStagedAsync(projectId, request.RestoreId, default).CollectAsync());
        Assert.Empty((await Store.GetAsync<Project>(projectId, projectId, default))!.Publication!.Published);
        Assert.Equal((4, true, true), await SeenAsync(projectId, null));
        Assert.Equal((3, false, false), await SeenAsync(projectId, generationBefore));
        Assert.Equal(4, (await Store.CountAsync(projectId, await Store.VisibilityAsync(projectId, default), default)).Documents);
    }

    [Fact]
    public async Task A_publish_by_a_restore_that_does_not_hold_the_project_is_refused()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(new SeedSpec { Documents = 1, Ais = 0 });
        var request = new RestoreRequest("not-holding", "snp-none", projectId, Merge: true, NewProject: false);

        await Assert.ThrowsAsync<PermanentFailureException>(() => service.Services.GetRequiredService<RestorePublisher>().PublishAsync(Completion(request), default));
        Assert.Null((await Store.GetAsync<Project>(projectId, projectId, default))!.Publication);
    }

    private static CompleteRestoreRequest Completion(RestoreRequest request) =>
        new(request, new SchemaResult(new KindReport(), new KindReport(), new KindReport()), RestoredBatch.Empty, new AisResult(0, 0, 0, []), 0, DateTimeOffset.UtcNow);

    /// <summary>Documents, whether the restored label is listed, and whether a label set lists it, as of a generation (null: now).</summary>
    private async Task<(int Documents, bool Label, bool InSet)> SeenAsync(string projectId, long? generation)
    {
        var project = (await Store.GetAsync<Project>(projectId, projectId, default))!;
        var visibility = generation is { } g ? Visibility.AsOf(project, g) : Visibility.Of(project);
        var documents = await Store.ListAsync<Document>(projectId, visibility, default).CollectAsync();
        var labels = await Store.ListAsync<Label>(projectId, visibility, default).CollectAsync();
        var sets = await Store.ListLabelSetsAsync(projectId, visibility, default).CollectAsync();
        return (documents.Count, labels.Any(l => l.Id == "restored-label"), sets.Any(s => s.LabelIds.Contains("restored-label")));
    }
}
