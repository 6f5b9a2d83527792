using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Projects;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Create, list, describe, download and delete snapshots through the HTTP API and the durable backend.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class SnapshotLifecycleTests(ServiceFixture service)
{
    private static readonly SeedSpec Spec = new() { Documents = 21, AnnotationsPerDocument = 3, Ais = 9, DocumentFileBytes = 300, ModelFileBytes = 200 };

    // Of every 7 seeded documents, 3 are Training and 1 is Test (see SyntheticProjectSeeder).
    private const int IncludedDocuments = 12;

    [Fact]
    public async Task A_dataset_and_ai_snapshot_holds_exactly_what_the_mode_rules_keep()
    {
        var projectId = await SeedAsync();

        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");

        Assert.Equal("created", snapshot.GetProperty("status").GetString());
        Assert.Equal("Snapshot created", snapshot.GetProperty("statusText").GetString());
        using var zip = await service.Http.DownloadAsync(snapshot.GetProperty("id").GetString()!);
        var manifest = zip.Manifest();
        var counts = manifest.GetProperty("counts");
        Assert.Equal(IncludedDocuments, counts.GetProperty("documents").GetInt32());
        Assert.Equal(IncludedDocuments * Spec.AnnotationsPerDocument, counts.GetProperty("annotations").GetInt32());
        Assert.Equal(IncludedDocuments, counts.GetProperty("annotationSets").GetInt32());
        Assert.Equal(Spec.Categories, counts.GetProperty("categories").GetInt32());
        Assert.Equal(Spec.Categories * Spec.LabelsPerCategory, counts.GetProperty("labels").GetInt32());
        Assert.Equal(3, counts.GetProperty("ais").GetInt32());
        Assert.Equal(IncludedDocuments + 3, counts.GetProperty("files").GetInt32());
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(counts.GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(snapshot.GetProperty("counts").GetRawText())));

        Assert.All(zip.ReadNdjson(ArchiveEntries.Documents), d => Assert.Contains(d.GetProperty("datasetStatus").GetString(), new[] { "training", "test" }));
        var ais = zip.ReadNdjson(ArchiveEntries.Ais);
        Assert.Equal(["categorization", "extraction", "splitting"], ais.Select(a => a.GetProperty("type").GetString()).Order());
        Assert.All(ais, ai => Assert.True(ai.GetProperty("active").GetBoolean() && ai.GetProperty("trainingStatus").GetString() == "done"));
        Assert.Equal(10, ais.Single(a => a.GetProperty("type").GetString() == "extraction").Get("hyperparameters.epochs").GetInt32());

        var warnings = manifest.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("Name-based") && w.Contains("upload one document"));
        Assert.Contains(warnings, w => w.Contains("retrain before snapshot"));
        Assert.Equal(warnings, snapshot.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!));
        Assert.Equal(ServiceFixture.EnvironmentName, manifest.Get("source.environment").GetString());
        Assert.Equal(projectId, manifest.Get("source.projectId").GetString());
        Assert.Equal(snapshot.GetProperty("identifier").GetString(), manifest.GetProperty("identifier").GetString());
    }

    [Fact]
    public async Task Every_entry_is_listed_with_its_checksum_files_in_index_parts_and_the_manifest_comes_last()
    {
        var projectId = await SeedAsync();
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");

        using var zip = await service.Http.DownloadAsync(snapshot.GetProperty("id").GetString()!);
        var manifest = zip.Manifest();
        var parts = manifest.GetProperty("parts").EnumerateArray().ToDictionary(p => p.GetProperty("path").GetString()!);
        Assert.Equal(SnapshotManifest.CurrentVersion, manifest.GetProperty("version").GetInt32());
        Assert.DoesNotContain(parts.Keys, p => p.StartsWith(ArchiveEntries.FilesFolder, StringComparison.Ordinal));
        var indexes = parts.Keys.Where(p => p.StartsWith(ArchiveEntries.IndexFolder, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(indexes);
        foreach (var index in indexes)
        {
            using var reader = new StreamReader(zip.GetEntry(index)!.Open());
            while (reader.ReadLine() is { Length: > 0 } line)
            {
                var file = JsonDocument.Parse(line).RootElement.Clone();
                parts.Add(file.GetProperty("path").GetString()!, file);
            }
        }

        Assert.Equal("manifest.json", zip.Entries[^1].FullName);
        Assert.Equal(zip.Entries.Count - 1, parts.Count);
        foreach (var entry in zip.Entries.Take(zip.Entries.Count - 1))
        {
            var part = parts[entry.FullName];
            Assert.Equal(part.GetProperty("sha256").GetString(), entry.Sha256());
            Assert.Equal(part.GetProperty("bytes").GetInt64(), entry.Length);
        }

        Assert.Equal(IncludedDocuments, parts[ArchiveEntries.Documents].GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task An_ai_snapshot_has_no_documents()
    {
        var projectId = await SeedAsync();

        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "ai");

        using var zip = await service.Http.DownloadAsync(snapshot.GetProperty("id").GetString()!);
        var counts = zip.Manifest().GetProperty("counts");
        Assert.Equal(0, counts.GetProperty("documents").GetInt32());
        Assert.Equal(0, counts.GetProperty("annotations").GetInt32());
        Assert.Equal(3, counts.GetProperty("ais").GetInt32());
        Assert.Equal(Spec.Categories * Spec.LabelsPerCategory, counts.GetProperty("labels").GetInt32());
        Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("files/documents/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dataset_snapshot_of_a_project_without_training_or_test_documents_is_a_409()
    {
        var projectId = (await (await service.Http.PostAsJsonAsync("/api/projects", new { name = "no dataset" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var response = await service.Http.PostSnapshotAsync(projectId, ["dataset"]);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Training or Test", (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
        var list = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/snapshots");
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"modes": []}""", "at least one mode")]
    [InlineData("""{"modes": ["members"]}""", "not valid JSON")]
    [InlineData("""{"description": "no modes"}""", "at least one mode")]
    public async Task A_snapshot_request_with_bad_modes_is_a_400(string body, string detail)
    {
        var projectId = await SeedAsync();

        var response = await service.Http.PostAsync($"/api/projects/{projectId}/snapshots", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_snapshot_of_an_unknown_project_is_a_404()
    {
        var response = await service.Http.PostSnapshotAsync("no-such-project", ["ai"]);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Snapshots_are_listed_newest_first_in_pages()
    {
        var projectId = await SeedAsync();
        var first = await service.Http.CreateSnapshotAsync(projectId, "ai");
        var second = await service.Http.CreateSnapshotAsync(projectId, "ai");
        var third = await service.Http.CreateSnapshotAsync(projectId, "dataset");

        var page1 = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/snapshots?pageSize=2");
        var token = page1.GetProperty("continuationToken").GetString();
        var page2 = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/snapshots?pageSize=2&continuationToken={token}");

        var ids = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Equal([third.GetProperty("id").GetString(), second.GetProperty("id").GetString(), first.GetProperty("id").GetString()], ids);
        Assert.False(page2.TryGetProperty("continuationToken", out _));
    }

    [Fact]
    public async Task Only_the_description_can_change_and_the_contents_stay_the_same()
    {
        var projectId = await SeedAsync();
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");
        var id = snapshot.GetProperty("id").GetString()!;
        var before = await service.Http.GetByteArrayAsync($"/api/snapshots/{id}/download");

        var described = await service.Http.PatchAsync($"/api/snapshots/{id}", JsonContent.Create(new { description = "before the migration" }));
        var changed = await service.Http.PatchAsync($"/api/snapshots/{id}", JsonContent.Create(new { modes = new[] { "ai" }, description = "x" }));

        Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        Assert.Equal("before the migration", (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{id}")).GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Contains("'modes'", (await changed.ReadJsonObjectAsync())["detail"]!.GetValue<string>());
        Assert.Equal(before, await service.Http.GetByteArrayAsync($"/api/snapshots/{id}/download"));
        Assert.Equal("before the migration", (await service.Http.GetFromJsonAsync<JsonElement>($"/api/snapshots/{id}")).GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_download_is_the_archive_with_its_length_and_a_file_name()
    {
        var projectId = await SeedAsync();
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "ai");

        using var response = await service.Http.GetAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(snapshot.GetProperty("bytes").GetInt64(), response.Content.Headers.ContentLength);
        Assert.EndsWith(".zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(snapshot.GetProperty("bytes").GetInt64(), (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Delete_is_irrevocable_and_leaves_the_project_untouched()
    {
        var projectId = await SeedAsync();
        var countsBefore = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts").GetRawText();
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");
        var id = snapshot.GetProperty("id").GetString()!;

        var deleted = await service.Http.DeleteAsync($"/api/snapshots/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/snapshots/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/snapshots/{id}/download")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.DeleteAsync($"/api/snapshots/{id}")).StatusCode);
        Assert.Empty(await BlobsOfAsync(snapshot.GetProperty("identifier").GetString()!));
        Assert.Equal(countsBefore, (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts").GetRawText());
    }

    [Fact]
    public async Task A_snapshot_that_cannot_be_made_ends_failed_with_the_reason_and_no_archive()
    {
        var projectId = await SeedAsync();
        var document = await service.Services.GetRequiredService<ProjectStore>().GetAsync<Document>(projectId, "d2", default);
        await service.Services.GetRequiredService<ProjectFiles>().Resolve(document!.Files[0]).DeleteAsync();

        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");

        Assert.Equal("failed", snapshot.GetProperty("status").GetString());
        Assert.Contains("d2", snapshot.GetProperty("failureReason").GetString());
        Assert.Empty(await BlobsOfAsync(snapshot.GetProperty("identifier").GetString()!));
        Assert.Equal(HttpStatusCode.Conflict, (await service.Http.GetAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download")).StatusCode);
    }

    [Fact]
    public async Task Snapshot_identifiers_are_unique_and_url_safe()
    {
        var projectId = await SeedAsync();
        var identifiers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await service.Http.PostSnapshotAsync(projectId, ["ai"]);
            identifiers.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("identifier").GetString()!);
        }

        Assert.Equal(3, identifiers.Distinct().Count());
        Assert.All(identifiers, id => Assert.Equal(Uri.EscapeDataString(id), id));
        Assert.All(identifiers, id => Assert.True(id.Length >= 24));
    }

    private Task<string> SeedAsync() => service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);

    private async Task<List<string>> BlobsOfAsync(string identifier)
    {
        var container = service.Services.GetRequiredService<SnapshotBlobs>().Container;
        return (await container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = identifier + "/" }).CollectAsync()).Select(b => b.Name).ToList();
    }
}
