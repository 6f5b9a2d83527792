using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Imports;
using Snapshots.Projects;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

/// <summary>
/// Konfuzio interop both ways: both SDK layouts import to the same project, AIs come in from models/, and a snapshot
/// goes out in the current layout under every rule the SDK's loader enforces, and comes back in unchanged.
/// </summary>
[Collection(UploadTestGroup.Name)]
public sealed class KonfuzioLayoutTests(UploadServiceFixture service)
{
    [Fact]
    public async Task The_current_layout_sample_imports_like_the_legacy_fixture_it_was_derived_from()
    {
        var legacy = await service.ImportAsync(ExportArchives.FromFolder(RepositoryPaths.KonfuzioProject46), "legacy layout");
        var current = await service.ImportAsync(ExportArchives.FromFolder(RepositoryPaths.KonfuzioProject46Current), "current layout");

        var legacyContent = await ProjectContent.ReadAsync(service.Services, legacy);
        var currentContent = await ProjectContent.ReadAsync(service.Services, current);
        Assert.Equal(FixtureFacts.Project46.Documents.Count, legacyContent.Count(l => l.StartsWith("document ", StringComparison.Ordinal)));
        Assert.Contains(legacyContent, l => l.StartsWith("annotation ", StringComparison.Ordinal) && l.Contains("\"Spans\":\"[", StringComparison.Ordinal));
        Assert.Equal(legacyContent, currentContent);
        Assert.Equal((await CountsAsync(legacy)).GetRawText(), (await CountsAsync(current)).GetRawText());
    }

    [Fact]
    public async Task Legacy_category_links_come_from_both_sides_of_default_section_labels()
    {
        // Label set 3706 no longer names its category; category 63 still lists it among the label sets it uses.
        var labelSets = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.KonfuzioProject46, "label_sets.json5")))!.AsArray();
        labelSets.Single(s => s!["id"]!.GetValue<int>() == 3706)!["default_section_labels"] = new JsonArray();
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(new Dictionary<string, string?> { ["label_sets.json5"] = labelSets.ToJsonString() }), "links");

        var sets = await service.Services.GetRequiredService<ProjectStore>().ListAsync<LabelSet>(projectId, default).CollectAsync();
        string[] UsedBy(string category) => [.. sets.Where(s => s.CategoryIds.Contains(category)).Select(s => s.Id).Order(StringComparer.Ordinal)];
        Assert.Equal(["3686", "3706", "3707", "63", "64"], UsedBy("63"));
        Assert.Equal(["735", "916", "926", "929", "930", "931"], UsedBy("735"));
        Assert.All(sets.Where(s => s.IsDefault), s => Assert.Equal([s.Id], s.CategoryIds));
    }

    [Fact]
    public async Task Ais_under_models_become_ais_with_their_type_and_file()
    {
        var zip = ExportArchives.SmallFixture(new Dictionary<string, string?>
        {
            ["models/extraction_ais/lohn_extraction.pkl.lz4"] = "extraction model",
            ["models/categorization_ais/categorizer.pt"] = "categorization model",
            ["models/filesplitting_ais/splitter.pkl"] = "splitting model",
            ["models/trained_locally.pkl"] = "a trainer's own file",
        });
        var response = await service.Http.PostZipAsync("/api/imports?name=with-ais", zip);
        var accepted = await response.ReadJsonObjectAsync();
        var operation = await service.WaitForOperationAsync(accepted["statusUri"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
        Assert.Equal("Completed", operation.Status);

        var projectId = accepted["projectId"]!.GetValue<string>();
        var ais = await service.Services.GetRequiredService<ProjectStore>().ListAsync<AiModel>(projectId, default).CollectAsync();
        Assert.Equal(
            ["Categorization categorizer categorizer.pt", "Extraction lohn_extraction.pkl lohn_extraction.pkl.lz4", "Splitting splitter splitter.pkl"],
            ais.Select(a => $"{a.Type} {a.Name} {Assert.Single(a.Files).Name}").Order(StringComparer.Ordinal));
        Assert.All(ais, a => Assert.True(a.Active && a.TrainingStatus == AiTrainingStatus.Done && a.ModelVersion is null));
        var warnings = operation.Output!.Value.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Equal(3, warnings.Count(w => w.Contains("does not tell its model version", StringComparison.Ordinal)));
        Assert.Contains(warnings, w => w.StartsWith("models/trained_locally.pkl: not in an AI folder", StringComparison.Ordinal));
        var project = await service.Services.GetRequiredService<ProjectStore>().GetAsync<Project>(projectId, projectId, default);
        Assert.Contains(project!.Files, f => f.Name == "models/trained_locally.pkl");
    }

    [Fact]
    public async Task A_snapshot_exported_in_konfuzio_layout_meets_the_sdk_loader_rules_and_imports_back_equal()
    {
        var source = await service.ImportAsync(ExportArchives.FromFolder(RepositoryPaths.KonfuzioProject46, replace: new Dictionary<string, string?>
        {
            ["models/extraction_ais/lohn_extraction.pkl.lz4"] = "extraction model",
        }), "konfuzio round trip");
        var snapshot = await service.Http.CreateSnapshotAsync(source, "dataset", "ai");
        var snapshotId = snapshot.GetProperty("id").GetString()!;

        using var download = await service.Http.GetAsync($"/api/snapshots/{snapshotId}/download?format=konfuzio");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        var exported = await download.Content.ReadAsByteArrayAsync();
        if (Environment.GetEnvironmentVariable("SNAPSHOTS_KEEP_KONFUZIO_EXPORT") is { Length: > 0 } keep)
        {
            // To load it with the real SDK by hand: Project(id_=None, project_folder="<unzipped>/data_<id>").
            await File.WriteAllBytesAsync(keep, exported);
        }

        // The one thing the loader would refuse is in the SDK's own test data already: a rejected and a correct
        // annotation of one label on the same span (strict mode raises, lenient mode skips the second).
        // Which of the two counts as the repeat depends on the order the annotations are listed in, which may vary.
        var violations = KonfuzioLoaderRules.Violations(exported);
        var duplicates = DuplicatesInTheLegacySample();
        Assert.True(violations.Count == duplicates.Sum(group => group.Count - 1)
            && violations.All(v => duplicates.Any(group => group.Any(id => v == $"{id}: the same label on the same spans as another annotation"))),
            string.Join("\n", violations));
        using (var zip = new ZipArchive(new MemoryStream(exported)))
        {
            Assert.Contains(zip.Entries, e => e.FullName == $"data_{source}/models/extraction_ais/lohn_extraction.pkl.lz4");
            Assert.Contains(zip.Entries, e => e.FullName == $"data_{source}/documents/44823/bbox.zip");
        }

        // A dataset snapshot holds the training and test documents: those come back, entity by entity.
        var back = await service.ImportAsync(exported, "konfuzio round trip back");
        Assert.Equal(
            await ProjectContent.ReadAsync(service.Services, source, d => Create.SnapshotRules.IncludesDocument(d.DatasetStatus)),
            await ProjectContent.ReadAsync(service.Services, back));
    }

    [Fact]
    public async Task The_loader_rules_check_finds_what_the_sdk_would_refuse()
    {
        var snapshot = await service.Http.CreateSnapshotAsync(await service.ImportAsync(ExportArchives.SmallFixture(), "rules"), "dataset");
        var exported = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download?format=konfuzio");
        var folder = new ZipArchive(new MemoryStream(exported)).Entries[0].FullName.Split('/')[0] + "/";

        var broken = new ZipRewriter(exported)
            .Replace(folder + "categories_and_label_data.json5", text => text.Replace("\"name\": \"Austellungsdatum\"", "\"text\": \"x\", \"name\": \"Austellungsdatum\"", StringComparison.Ordinal))
            .Replace(folder + "documents_meta.json5", text => text.Replace("\"status_data\"", "\"status_data_\"", StringComparison.Ordinal))
            .Replace(folder + "documents/44823/pages.json5", text => text.TrimEnd().TrimEnd(']') + ", {\"id\": 1, \"number\": 2, \"original_size\": [1, 1], \"size\": [1, 1]}]")
            .Replace(folder + "documents/44823/annotations.json5", text => text.Replace("\"start_offset\": 66", "\"start_offset\": 600", StringComparison.Ordinal));

        var violations = KonfuzioLoaderRules.Violations(broken.ToBytes());
        Assert.Contains(violations, v => v.Contains("has 'text'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("no 'status_data'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("pages.json5: needs document.txt and one entry per", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("0 <= start_offset < end_offset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_download_format_is_a_400()
    {
        var snapshot = await service.Http.CreateSnapshotAsync(await service.ImportAsync(ExportArchives.SmallFixture(), "format"), "dataset");

        using var response = await service.Http.GetAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download?format=tar");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("konfuzio", (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Groups of annotations of the legacy sample with one label on the same spans, as the rules check names them.</summary>
    private static List<List<string>> DuplicatesInTheLegacySample()
    {
        var groups = new List<List<string>>();
        foreach (var folder in Directory.GetDirectories(Path.Combine(RepositoryPaths.KonfuzioProject46, "documents")))
        {
            var file = $"documents/{Path.GetFileName(folder)}/annotations.json5";
            groups.AddRange(JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "annotations.json5")))!.AsArray()
                .GroupBy(a => $"{a!["label"]} " + string.Join(",", a["bboxes"]!.AsArray().Select(b => $"{b!["start_offset"]}-{b["end_offset"]}")))
                .Where(group => group.Count() > 1)
                .Select(group => group.Select(a => $"{file}: annotation {a!["id"]}").ToList()));
        }

        return groups;
    }

    private async Task<JsonElement> CountsAsync(string projectId) =>
        (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
}
