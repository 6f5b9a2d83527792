using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Access;
using Snapshots.Projects;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Revert removes exactly what a restore added, and refuses when any of it changed since.</summary>
[Collection(RestorePlanningTestGroup.Name)]
public sealed class RevertTests(ServiceFixture service)
{
    [Fact]
    public async Task A_reverted_merge_leaves_the_target_exactly_as_it_was_before()
    {
        var (snapshotId, targetId) = await SourceAndTargetAsync("revert target");
        var before = await TargetState.ReadAsync(service, targetId);

        var merged = await RevertibleRestoreAsync(snapshotId, new { targetProjectId = targetId });
        Assert.NotEqual(before, await TargetState.ReadAsync(service, targetId));
        var response = await service.Http.PostAsync($"/api/restores/{merged.GetProperty("id").GetString()}/revert", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reverted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(before, await TargetState.ReadAsync(service, targetId));
        var removed = reverted.Get("reverted.removed");
        Assert.Equal(merged.Get("report.documents").GetInt32(), removed.GetProperty("document").GetInt32());
        Assert.Equal(merged.Get("report.annotationSets").GetInt32(), removed.GetProperty("annotationSet").GetInt32());
        Assert.Equal(merged.Get("report.annotations").GetInt32(), removed.GetProperty("annotation").GetInt32());
        Assert.Equal(merged.Get("report.labels.created").GetInt32(), removed.GetProperty("label").GetInt32());
        Assert.True(removed.GetProperty("labelSetExtension").GetInt32() > 0);
        Assert.False(reverted.GetProperty("revertible").GetBoolean());
        Assert.False(reverted.Get("reverted.projectDeleted").GetBoolean());

        var again = await service.Http.PostAsync($"/api/restores/{merged.GetProperty("id").GetString()}/revert", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("was reverted at", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_revert_after_someone_edited_a_merged_document_is_refused_naming_it_and_changes_nothing()
    {
        var (snapshotId, targetId) = await SourceAndTargetAsync("revert edited target");
        var existing = (await Store.ListAsync<Document>(targetId, default).CollectAsync()).Select(d => d.Id).ToHashSet();
        var merged = await RevertibleRestoreAsync(snapshotId, new { targetProjectId = targetId });
        var added = (await Store.ListAsync<Document>(targetId, default).CollectAsync()).Where(d => !existing.Contains(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal).First();
        await Store.UpsertAsync(targetId, added with { Name = added.Name + " (edited)" }, default);
        var edited = await TargetState.ReadAsync(service, targetId);

        var response = await service.Http.PostAsync($"/api/restores/{merged.GetProperty("id").GetString()}/revert", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains($"document '{added.Name}' (id {added.Id}) was changed", detail);
        Assert.StartsWith("Not reverted: 1 of what restore", detail);
        Assert.Equal(edited, await TargetState.ReadAsync(service, targetId));
        Assert.True((await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{merged.GetProperty("id").GetString()}")).GetProperty("revertible").GetBoolean());
    }

    [Fact]
    public async Task Reverting_a_restore_into_a_new_project_deletes_that_project_and_its_files()
    {
        var (snapshotId, _) = await SourceAndTargetAsync(null);
        var restored = await RevertibleRestoreAsync(snapshotId, new { projectName = "to be reverted" });
        var projectId = restored.GetProperty("projectId").GetString()!;
        Assert.NotEqual("", await TargetState.ReadBlobsAsync(service, projectId));
        // Deleting the project it made needs what deleting the restore needs: a maintainer may not.
        using var maintainer = service.ClientWith(service.Token(new DevelopmentTokenRequest("mia-maintainer")
        {
            ProjectRoles = new Dictionary<string, string> { [projectId] = ProjectRoles.Maintainer },
        }));
        Assert.Equal(HttpStatusCode.Forbidden, (await maintainer.PostAsync($"/api/restores/{restored.GetProperty("id").GetString()}/revert", null)).StatusCode);

        var response = await service.Http.PostAsync($"/api/restores/{restored.GetProperty("id").GetString()}/revert", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).Get("reverted.projectDeleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/projects/{projectId}")).StatusCode);
        Assert.Equal("", await TargetState.ReadBlobsAsync(service, projectId));
    }

    [Fact]
    public async Task An_annotation_added_to_a_merged_document_since_refuses_the_revert_naming_that_document()
    {
        var (snapshotId, targetId) = await SourceAndTargetAsync("revert annotated target");
        var existing = (await Store.ListAsync<Document>(targetId, default).CollectAsync()).Select(d => d.Id).ToHashSet();
        var merged = await RevertibleRestoreAsync(snapshotId, new { targetProjectId = targetId });
        var added = (await Store.ListAsync<Document>(targetId, default).CollectAsync()).First(d => !existing.Contains(d.Id) && d.AnnotationCount > 0);
        var label = (await Store.ListAsync<Label>(targetId, default).CollectAsync()).First();
        await Store.UpsertDocumentItemAsync(targetId, added.Id, new Annotation { Id = "added-by-hand", DocumentId = added.Id, LabelId = label.Id }, default);

        var response = await service.Http.PostAsync($"/api/restores/{merged.GetProperty("id").GetString()}/revert", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains($"document '{added.Name}' has annotation 'added-by-hand', which the restore did not add",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var after = await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{merged.GetProperty("id").GetString()}");
        Assert.True(after.GetProperty("revertible").GetBoolean());
    }

    private ProjectStore Store => service.Services.GetRequiredService<ProjectStore>();

    /// <summary>A snapshot of the small fixture (dataset and AIs), and a target whose schema conflicts with it in one label and lacks another.</summary>
    private async Task<(string SnapshotId, string TargetId)> SourceAndTargetAsync(string? targetName)
    {
        var sourceId = await service.ImportAsync(ExportArchives.SmallFixture(), "revert source");
        var snapshotId = (await service.Http.CreateSnapshotAsync(sourceId, "dataset", "ai")).GetProperty("id").GetString()!;
        var targetId = targetName is null ? "" : await service.ImportAsync(ExportArchives.SmallFixtureWithEditedLabels("Austellungsdatum", "Auszahlungsbetrag"), targetName);
        return (snapshotId, targetId);
    }

    private async Task<JsonElement> RevertibleRestoreAsync(string snapshotId, object body)
    {
        var restore = await service.Http.RestoreAsync(snapshotId, body);
        Assert.Equal("restored", restore.GetProperty("status").GetString());
        return await Eventually.ReturnsAsync(() => service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{restore.GetProperty("id").GetString()}"),
            r => r.GetProperty("revertible").GetBoolean(), TimeSpan.FromMinutes(1));
    }
}
