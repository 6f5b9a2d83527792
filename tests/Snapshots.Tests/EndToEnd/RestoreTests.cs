using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Projects;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Restores through the HTTP API: new project, merge, status, report, retry.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class RestoreTests(ServiceFixture service)
{
    private static readonly SeedSpec Spec = new() { Documents = 14, AnnotationsPerDocument = 4, Ais = 9, DocumentFileBytes = 500, ModelFileBytes = 700 };

    private ProjectStore Store => service.Services.GetRequiredService<ProjectStore>();

    [Fact]
    public async Task A_restore_into_a_new_project_reproduces_the_snapshot_exactly()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "dataset", "ai");
        var snapshotId = snapshot.GetProperty("id").GetString()!;

        var started = await service.Http.StartRestoreAsync(snapshotId);
        var targetId = started.GetProperty("projectId").GetString()!;
        Assert.Matches(new Regex($"^Restored Project from Snapshot {Regex.Escape(snapshot.GetProperty("identifier").GetString()!)} at \\d{{4}}-\\d{{2}}-\\d{{2}} \\d{{2}}:\\d{{2}}:\\d{{2}}$"),
            started.GetProperty("projectName").GetString());
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync($"/api/projects/{targetId}")).StatusCode);
        var restore = await service.Http.WaitForRestoreAsync(started.GetProperty("id").GetString()!);

        Assert.Equal("restored", restore.GetProperty("status").GetString());
        Assert.Equal("Snapshot restored.", restore.GetProperty("statusText").GetString());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{targetId}")).GetProperty("counts");
        var expected = snapshot.GetProperty("counts");
        foreach (var kind in new[] { "categories", "labels", "labelSets", "documents", "annotationSets", "annotations", "ais" })
        {
            Assert.Equal(expected.GetProperty(kind).GetInt32(), counts.GetProperty(kind).GetInt32());
        }

        var progress = restore.GetProperty("progress");
        foreach (var kind in new[] { "documents", "annotationSets", "annotations", "ais", "files", "bytes" })
        {
            Assert.Equal(progress.Get($"{kind}.total").GetInt64(), progress.Get($"{kind}.done").GetInt64());
        }

        await AssertSameContentAsync(sourceId, targetId);
    }

    [Fact]
    public async Task Progress_ends_complete_with_project_files_counted_for_a_new_project_and_left_out_of_a_merge()
    {
        var sourceId = await service.ImportAsync(ExportArchives.SmallFixture(), "with project files");
        var targetId = await service.ImportAsync(ExportArchives.SmallFixture(), "merge target with project files");
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "dataset");
        var snapshotId = snapshot.GetProperty("id").GetString()!;

        var created = await service.Http.RestoreAsync(snapshotId);
        var merged = await service.Http.RestoreAsync(snapshotId, new { targetProjectId = targetId });

        var projectFiles = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{sourceId}")).GetProperty("files").GetArrayLength();
        Assert.True(projectFiles > 0, "the fixture has project files (regex files)");
        var total = snapshot.Get("counts.files").GetInt32();
        Assert.Equal((total, total), (created.Get("progress.files.done").GetInt32(), created.Get("progress.files.total").GetInt32()));
        Assert.Equal(total, created.Get("report.files").GetInt32());
        Assert.Equal((total - projectFiles, total - projectFiles), (merged.Get("progress.files.done").GetInt32(), merged.Get("progress.files.total").GetInt32()));
        Assert.Equal(total - projectFiles, merged.Get("report.files").GetInt32());

        // Bytes add up the same way: the project files' bytes count for the new project and leave the merge's total.
        var projectFileBytes = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{sourceId}")).GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("bytes").GetInt64());
        Assert.True(projectFileBytes > 0);
        var createdBytes = created.Get("progress.bytes.total").GetInt64();
        Assert.Equal(createdBytes, created.Get("progress.bytes.done").GetInt64());
        Assert.Equal((createdBytes - projectFileBytes, createdBytes - projectFileBytes), (merged.Get("progress.bytes.done").GetInt64(), merged.Get("progress.bytes.total").GetInt64()));
    }

    [Fact]
    public async Task Restored_ais_carry_their_model_files_and_name_based_ones_are_not_restored()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "ai");

        var restore = await service.Http.RestoreAsync(snapshot.GetProperty("id").GetString()!);

        var ais = await Store.ListAsync<AiModel>(restore.GetProperty("projectId").GetString()!, default).CollectAsync();
        Assert.Equal(3, ais.Count);
        Assert.DoesNotContain(ais, ai => ai.CategorizationKind == CategorizationKind.NameBased);
        var files = service.Services.GetRequiredService<ProjectFiles>();
        foreach (var ai in ais.Where(a => a.Files.Count > 0))
        {
            var content = await files.Resolve(ai.Files.Single()).DownloadContentAsync();
            Assert.Equal(Spec.ModelFileBytes, content.Value.Content.ToArray().Length);
        }
    }

    [Fact]
    public async Task Merging_reuses_matching_schema_reports_conflicts_and_adds_the_documents()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "dataset");
        var targetId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec with { Documents = 7, Ais = 0 });
        var changedLabel = (await Store.GetAsync<Label>(targetId, "c1-l1", default))! with { Threshold = 0.99 };
        await Store.UpsertAsync(targetId, changedLabel, default);
        var before = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{targetId}")).GetProperty("counts");

        var restore = await service.Http.RestoreAsync(snapshot.GetProperty("id").GetString()!, new { targetProjectId = targetId });

        Assert.Equal("restored", restore.GetProperty("status").GetString());
        Assert.True(restore.GetProperty("merge").GetBoolean());
        var report = restore.GetProperty("report");
        Assert.Equal(Spec.Categories, report.Get("categories.matched").GetInt32());
        Assert.Equal(0, report.Get("labels.created").GetInt32());
        var conflict = Assert.Single(report.Get("labels.conflicts").EnumerateArray());
        Assert.Equal(changedLabel.Name, conflict.GetProperty("name").GetString());
        Assert.Equal(0.99, (await Store.GetAsync<Label>(targetId, "c1-l1", default))!.Threshold);
        var after = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{targetId}")).GetProperty("counts");
        Assert.Equal(before.GetProperty("labels").GetInt32(), after.GetProperty("labels").GetInt32());
        Assert.Equal(before.GetProperty("documents").GetInt32() + snapshot.Get("counts.documents").GetInt32(), after.GetProperty("documents").GetInt32());
        Assert.Equal(before.GetProperty("annotations").GetInt32() + snapshot.Get("counts.annotations").GetInt32(), after.GetProperty("annotations").GetInt32());
    }

    [Fact]
    public async Task A_failed_restore_says_contact_support_and_a_retry_completes_it_without_duplicates()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
        var snapshot = await service.Http.CreateSnapshotAsync(sourceId, "dataset", "ai");
        var snapshotId = snapshot.GetProperty("id").GetString()!;
        var archive = service.Services.GetRequiredService<SnapshotBlobs>().Archive(snapshot.GetProperty("identifier").GetString()!);
        var bytes = (await archive.DownloadContentAsync()).Value.Content;
        await archive.DeleteAsync();

        var failed = await service.Http.RestoreAsync(snapshotId);

        Assert.Equal("contactSupport", failed.GetProperty("status").GetString());
        Assert.Equal("Contact support.", failed.GetProperty("statusText").GetString());
        Assert.Contains("No completed snapshot archive", failed.GetProperty("error").GetString());

        await archive.UploadAsync(bytes.ToStream());
        var restoreId = failed.GetProperty("id").GetString()!;
        // Two retries at once: one starts the restore again, the other is told so.
        var retries = await Task.WhenAll(service.Http.PostAsync($"/api/restores/{restoreId}/retry", null), service.Http.PostAsync($"/api/restores/{restoreId}/retry", null));
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], retries.Select(r => r.StatusCode).Order());
        var restored = await service.Http.WaitForRestoreAsync(restoreId);

        Assert.Equal("restored", restored.GetProperty("status").GetString());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{restored.GetProperty("projectId").GetString()}")).GetProperty("counts");
        Assert.Equal(snapshot.Get("counts.documents").GetInt32(), counts.GetProperty("documents").GetInt32());
        Assert.Equal(snapshot.Get("counts.annotations").GetInt32(), counts.GetProperty("annotations").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await service.Http.PostAsync($"/api/restores/{restoreId}/retry", null)).StatusCode);
    }

    [Fact]
    public async Task A_snapshot_lists_its_restores_each_linking_its_project()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec with { Documents = 3 });
        var snapshotId = (await service.Http.CreateSnapshotAsync(sourceId, "ai")).GetProperty("id").GetString()!;
        var first = await service.Http.RestoreAsync(snapshotId, new { projectName = "first copy" });
        var second = await service.Http.RestoreAsync(snapshotId, new { projectName = "second copy" });

        var list = await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{snapshotId}/restores");

        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([second.GetProperty("id").GetString(), first.GetProperty("id").GetString()], items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(["second copy", "first copy"], items.Select(i => i.GetProperty("projectName").GetString()));
        Assert.All(items, i => Assert.Equal($"/api/projects/{i.GetProperty("projectId").GetString()}", i.GetProperty("projectUri").GetString()));
    }

    [Fact]
    public async Task Restoring_an_unknown_snapshot_or_into_an_unknown_project_is_a_404()
    {
        var sourceId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec with { Documents = 3 });
        var snapshotId = (await service.Http.CreateSnapshotAsync(sourceId, "ai")).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.PostAsync("/api/snapshots/nope/restores", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores", new { targetProjectId = "nope" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("/api/restores/nope")).StatusCode);
    }

    [Fact]
    public async Task Documents_written_by_an_unfinished_restore_are_invisible()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec with { Documents = 2, Ais = 0 });
        await Store.UpsertAsync(projectId, new Document { Id = "staged", Name = "staged.pdf", DatasetStatus = DatasetStatus.Training }, default, stagedBy: "r1");

        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        var listed = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents");

        Assert.Equal(2, counts.GetProperty("documents").GetInt32());
        Assert.DoesNotContain(listed.GetProperty("items").EnumerateArray(), d => d.GetProperty("id").GetString() == "staged");
    }

    private async Task AssertSameContentAsync(string sourceId, string targetId)
    {
        var sourceLabels = (await Store.ListAsync<Label>(sourceId, default).CollectAsync()).ToDictionary(l => l.Id, l => l.Name);
        var targetLabels = (await Store.ListAsync<Label>(targetId, default).CollectAsync()).ToDictionary(l => l.Id, l => l.Name);
        var source = (await Store.ListAsync<Document>(sourceId, default).CollectAsync()).Where(d => d.DatasetStatus is DatasetStatus.Training or DatasetStatus.Test).ToList();
        var target = await Store.ListAsync<Document>(targetId, default).CollectAsync();
        Assert.Equal(source.Select(d => d.Name).Order(), target.Select(d => d.Name).Order());

        var original = source.First();
        var copy = target.Single(d => d.Name == original.Name);
        Assert.NotEqual(original.Id, copy.Id);
        Assert.Equal(original.Files.Single().Bytes, copy.Files.Single().Bytes);
        var originalAnnotations = await Store.ListDocumentItemsAsync<Annotation>(sourceId, original.Id, default).CollectAsync();
        var copiedAnnotations = await Store.ListDocumentItemsAsync<Annotation>(targetId, copy.Id, default).CollectAsync();
        Assert.Equal(
            originalAnnotations.Select(a => (a.OffsetString, a.StartOffset, a.Confidence, sourceLabels[a.LabelId])).Order(),
            copiedAnnotations.Select(a => (a.OffsetString, a.StartOffset, a.Confidence, targetLabels[a.LabelId])).Order());
    }
}
