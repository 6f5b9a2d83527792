using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Functions.Restores;
using Snapshots.Projects;
using Snapshots.Restore;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// Restores land whole or not at all: a failure or cancel at any step leaves the target exactly as it was, nothing
/// shows before the publish, everything shows at once after it, and one restore at a time writes into a project.
/// </summary>
[Collection(RestoreSafetyTestGroup.Name)]
public sealed class AtomicRestoreTests(ServiceFixture service)
{
    private static readonly SeedSpec Source = new() { Name = "atomic source", Documents = 6, AnnotationsPerDocument = 3, Ais = 9, DocumentFileBytes = 300, ModelFileBytes = 400, Categories = 3 };

    // A merge target with a schema of its own that partly overlaps the source's (categories 1-2 of 3), and documents.
    private static readonly SeedSpec Target = new() { Name = "atomic target", Documents = 4, AnnotationsPerDocument = 2, Ais = 2, DocumentFileBytes = 200, ModelFileBytes = 200, Categories = 2, LabelsPerCategory = 3 };

    public static TheoryData<string, bool> Steps()
    {
        var data = new TheoryData<string, bool>();
        foreach (var step in new[]
        {
            nameof(RestoreOrchestrations.VerifyRestoreArchive), nameof(RestoreOrchestrations.RestoreSchema), nameof(RestoreOrchestrations.PlanRestoreDocuments),
            nameof(RestoreOrchestrations.RestoreDocumentBatch), nameof(RestoreOrchestrations.RestoreAis), nameof(RestoreOrchestrations.PublishRestore),
        })
        {
            data.Add(step, false);
            data.Add(step, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_step_that_fails_leaves_the_target_as_it_was_and_removes_what_was_staged(string step, bool merge)
    {
        var (snapshot, identifier) = await SnapshotAsync();
        var targetId = merge ? await SeedAsync(Target) : null;
        var before = targetId is null ? null : await TargetState.ReadAsync(service, targetId);
        service.Faults.FailAlways(identifier, step);
        try
        {
            var started = await service.Http.StartRestoreAsync(snapshot, merge ? new { targetProjectId = targetId } : null);
            var projectId = started.GetProperty("projectId").GetString()!;
            // A new project starts empty: whatever its restore uploads before failing must go again.
            before ??= await TargetState.ReadAsync(service, projectId) with { Blobs = "" };

            var restore = await service.Http.WaitForRestoreAsync(started.GetProperty("id").GetString()!);

            Assert.Equal("contactSupport", restore.GetProperty("status").GetString());
            Assert.Equal("Contact support.", restore.GetProperty("statusText").GetString());
            Assert.Contains($"Injected failure in {step}", restore.GetProperty("error").GetString());
            Assert.Equal(before, await TargetState.ReadAsync(service, projectId) with { Blobs = before.Blobs });
            await AssertNothingStagedAsync(projectId, started.GetProperty("id").GetString()!, before);
        }
        finally
        {
            service.Faults.Clear(identifier);
        }
    }

    [Fact]
    public async Task A_failure_among_the_documents_then_a_retry_restores_everything_once()
    {
        var sourceId = await SeedAsync(Source with { Documents = 230 });
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "dataset", "ai");
        var identifier = snapshot.GetProperty("identifier").GetString()!;
        // Batch 1 of 2 fails after batch 0 may already have written its documents.
        service.Faults.FailOnce(identifier, nameof(RestoreOrchestrations.RestoreDocumentBatch), input => input is RestoreBatch { BatchIndex: 1 });

        var started = await service.Http.StartRestoreAsync(snapshot.GetProperty("id").GetString()!);
        var restoreId = started.GetProperty("id").GetString()!;
        var failed = await service.Http.WaitForRestoreAsync(restoreId);
        Assert.Equal("contactSupport", failed.GetProperty("status").GetString());
        var projectId = started.GetProperty("projectId").GetString()!;
        var empty = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        Assert.Equal(0, empty.GetProperty("documents").GetInt32());

        var retried = await Eventually.ReturnsAsync(() => service.Http.PostAsync($"/api/restores/{restoreId}/retry", null),
            r => r.StatusCode != HttpStatusCode.Conflict, TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var restored = await service.Http.WaitForRestoreAsync(restoreId);

        Assert.Equal("restored", restored.GetProperty("status").GetString());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        foreach (var kind in new[] { "categories", "labels", "labelSets", "documents", "annotationSets", "annotations", "ais" })
        {
            Assert.Equal(snapshot.Get($"counts.{kind}").GetInt32(), counts.GetProperty(kind).GetInt32());
        }

        var names = (await Store.ListAsync<Document>(projectId, default).CollectAsync()).Select(d => d.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        var progress = restored.GetProperty("progress");
        foreach (var kind in new[] { "documents", "annotationSets", "annotations", "ais", "files", "bytes" })
        {
            Assert.Equal(progress.Get($"{kind}.total").GetInt64(), progress.Get($"{kind}.done").GetInt64());
        }
    }

    [Fact]
    public async Task Nothing_of_a_merge_shows_before_its_publish_and_all_of_it_right_after()
    {
        var (snapshot, identifier) = await SnapshotAsync();
        var targetId = await SeedAsync(Target);
        var before = await TargetState.ReadAsync(service, targetId);
        var gate = service.Faults.HoldOnce(identifier, nameof(RestoreOrchestrations.PublishRestore));
        try
        {
            var started = await service.Http.StartRestoreAsync(snapshot, new { targetProjectId = targetId });
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));

            // Everything is staged now: documents, annotations, AIs, files, schema. None of it is seen.
            Assert.Equal(before, await TargetState.ReadAsync(service, targetId) with { Blobs = before.Blobs });
            var during = await service.Http.CreateSnapshotAsync(targetId, "dataset", "ai");
            Assert.Equal("created", during.GetProperty("status").GetString());
            var counts = JsonDocument.Parse(before.Project).RootElement.GetProperty("counts");
            Assert.Equal(counts.GetProperty("documents").GetInt32() - counts.Get("documentsByDatasetStatus.none").GetInt32()
                - counts.Get("documentsByDatasetStatus.preparation").GetInt32() - counts.Get("documentsByDatasetStatus.excluded").GetInt32(),
                during.Get("counts.documents").GetInt32());
            Assert.Equal(counts.GetProperty("labels").GetInt32(), during.Get("counts.labels").GetInt32());
            Assert.Equal(counts.GetProperty("labelSets").GetInt32(), during.Get("counts.labelSets").GetInt32());

            gate.Release();
            var restore = await service.Http.WaitForRestoreAsync(started.GetProperty("id").GetString()!);

            Assert.Equal("restored", restore.GetProperty("status").GetString());
            var after = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{targetId}")).GetProperty("counts");
            Assert.Equal(counts.GetProperty("documents").GetInt32() + restore.Get("report.documents").GetInt32(), after.GetProperty("documents").GetInt32());
            Assert.Equal(counts.GetProperty("annotations").GetInt32() + restore.Get("report.annotations").GetInt32(), after.GetProperty("annotations").GetInt32());
            Assert.Equal(counts.GetProperty("ais").GetInt32() + restore.Get("report.ais").GetInt32(), after.GetProperty("ais").GetInt32());
            Assert.Equal(counts.GetProperty("labels").GetInt32() + restore.Get("report.labels.created").GetInt32(), after.GetProperty("labels").GetInt32());
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(identifier);
        }
    }

    public static TheoryData<string> CancellableSteps() => new(
        nameof(RestoreOrchestrations.VerifyRestoreArchive), nameof(RestoreOrchestrations.RestoreSchema), nameof(RestoreOrchestrations.PlanRestoreDocuments),
        nameof(RestoreOrchestrations.RestoreDocumentBatch), nameof(RestoreOrchestrations.RestoreAis),
        // Held after the orchestration's last cancel check: the publish itself must see the cancel and refuse.
        nameof(RestoreOrchestrations.PublishRestore));

    [Theory]
    [MemberData(nameof(CancellableSteps))]
    public async Task A_cancelled_merge_stops_and_leaves_the_target_as_it_was(string step)
    {
        var (snapshot, identifier) = await SnapshotAsync();
        var targetId = await SeedAsync(Target);
        var before = await TargetState.ReadAsync(service, targetId);
        var gate = service.Faults.HoldOnce(identifier, step);
        try
        {
            var started = await service.Http.StartRestoreAsync(snapshot, new { targetProjectId = targetId });
            var restoreId = started.GetProperty("id").GetString()!;
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));

            var cancel = await service.Http.PostAsync($"/api/restores/{restoreId}/cancel", null);
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            gate.Release();
            var restore = await Eventually.ReturnsAsync(() => service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}"),
                r => r.GetProperty("status").GetString() is not ("queuing" or "inProgress"), TimeSpan.FromMinutes(1));

            Assert.Equal("cancelled", restore.GetProperty("status").GetString());
            Assert.Equal("Snapshot restoration cancelled.", restore.GetProperty("statusText").GetString());
            await AssertNothingStagedAsync(targetId, restoreId, before);
            Assert.Equal(before, await TargetState.ReadAsync(service, targetId));
            Assert.Equal(HttpStatusCode.Conflict, (await service.Http.PostAsync($"/api/restores/{restoreId}/cancel", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await service.Http.PostAsync($"/api/restores/{restoreId}/retry", null)).StatusCode);
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(identifier);
        }
    }

    [Theory]
    [MemberData(nameof(CancellableSteps))]
    public async Task A_cancelled_restore_into_a_new_project_takes_that_project_away_with_it(string step)
    {
        var (snapshot, identifier) = await SnapshotAsync();
        var gate = service.Faults.HoldOnce(identifier, step);
        try
        {
            var started = await service.Http.StartRestoreAsync(snapshot);
            var (restoreId, projectId) = (started.GetProperty("id").GetString()!, started.GetProperty("projectId").GetString()!);
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(HttpStatusCode.Accepted, (await service.Http.PostAsync($"/api/restores/{restoreId}/cancel", null)).StatusCode);
            gate.Release();

            await Eventually.ReturnsAsync(() => service.Http.GetAsync($"/api/projects/{projectId}"), r => r.StatusCode == HttpStatusCode.NotFound, TimeSpan.FromMinutes(1));
            // The project list's entry goes last, moments after the project itself.
            await Eventually.ReturnsAsync(() => service.Http.ListProjectIdsAsync(), ids => !ids.Contains(projectId), TimeSpan.FromMinutes(1));
            Assert.Equal("cancelled", (await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{restoreId}")).GetProperty("status").GetString());
            await Eventually.ReturnsAsync(() => TargetState.ReadBlobsAsync(service, projectId), blobs => blobs.Length == 0, TimeSpan.FromMinutes(1));
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(identifier);
        }
    }

    [Fact]
    public async Task A_second_restore_into_a_project_with_one_running_is_a_409_naming_the_running_one()
    {
        var (snapshot, identifier) = await SnapshotAsync();
        var targetId = await SeedAsync(Target);
        var gate = service.Faults.HoldOnce(identifier, nameof(RestoreOrchestrations.RestoreSchema));
        try
        {
            var first = await service.Http.StartRestoreAsync(snapshot, new { targetProjectId = targetId });
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));

            var second = await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshot}/restores", new { targetProjectId = targetId });

            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
            Assert.Contains(first.GetProperty("id").GetString()!, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            gate.Release();
            Assert.Equal("restored", (await service.Http.WaitForRestoreAsync(first.GetProperty("id").GetString()!)).GetProperty("status").GetString());
            var third = await service.Http.RestoreAsync(snapshot, new { targetProjectId = targetId });
            Assert.Equal("restored", third.GetProperty("status").GetString());
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(identifier);
        }
    }

    [Fact]
    public async Task A_snapshot_a_restore_is_reading_cannot_be_deleted_until_the_restore_ends()
    {
        var (snapshot, identifier) = await SnapshotAsync();
        var gate = service.Faults.HoldOnce(identifier, nameof(RestoreOrchestrations.RestoreSchema));
        try
        {
            var started = await service.Http.StartRestoreAsync(snapshot);
            await gate.Reached.WaitAsync(TimeSpan.FromMinutes(1));

            var refused = await service.Http.DeleteAsync($"/api/snapshots/{snapshot}");

            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains(started.GetProperty("id").GetString()!, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            gate.Release();
            Assert.Equal("restored", (await service.Http.WaitForRestoreAsync(started.GetProperty("id").GetString()!)).GetProperty("status").GetString());
            var deleted = await Eventually.ReturnsAsync(() => service.Http.DeleteAsync($"/api/snapshots/{snapshot}"),
                r => r.StatusCode != HttpStatusCode.Conflict, TimeSpan.FromMinutes(1));
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        finally
        {
            gate.Release();
            service.Faults.Clear(identifier);
        }
    }

    [Fact]
    public async Task A_cancel_after_the_publish_is_a_409_and_the_restore_stays_restored()
    {
        var (snapshot, _) = await SnapshotAsync();

        var restore = await service.Http.RestoreAsync(snapshot);
        var cancel = await service.Http.PostAsync($"/api/restores/{restore.GetProperty("id").GetString()}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Equal("restored", (await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{restore.GetProperty("id").GetString()}")).GetProperty("status").GetString());
    }

    private ProjectStore Store => service.Services.GetRequiredService<ProjectStore>();

    private Task<string> SeedAsync(SeedSpec spec) => service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(spec);

    private async Task<(string SnapshotId, string Identifier)> SnapshotAsync()
    {
        var snapshot = await service.Http.CreateSnapshotAsync(await SeedAsync(Source), "dataset", "ai");
        return (snapshot.GetProperty("id").GetString()!, snapshot.GetProperty("identifier").GetString()!);
    }

    /// <summary>The discard runs after the status is settled: wait for it, then nothing of the restore is left.</summary>
    private async Task AssertNothingStagedAsync(string projectId, string restoreId, TargetState before)
    {
        await Eventually.ReturnsAsync(async () => (await Store.ListStagedAsync(projectId, restoreId, default).CollectAsync()).Count,
            count => count == 0, TimeSpan.FromMinutes(1));
        await Eventually.ReturnsAsync(() => TargetState.ReadAsync(service, projectId), state => state.Blobs == before.Blobs, TimeSpan.FromMinutes(1));
    }
}
