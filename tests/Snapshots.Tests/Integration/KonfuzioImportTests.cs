using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Configuration;
using Snapshots.Projects;
using Snapshots.Storage;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

[Collection(ServiceTestGroup.Name)]
public sealed class KonfuzioImportTests(ServiceFixture service)
{
    private static readonly FixtureFacts Fixture = FixtureFacts.Project46;

    [Fact]
    public async Task Importing_the_fixture_yields_exactly_the_counts_in_its_files()
    {
        var projectId = await service.ImportAsync(ExportArchives.FromFolder(Fixture.Folder), "Konfuzio project 46");

        var project = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
        var counts = project.GetProperty("counts");
        Assert.Equal("ready", project.GetProperty("status").GetString());
        Assert.Equal(Fixture.Labels.Count, counts.GetProperty("labels").GetInt32());
        Assert.Equal(Fixture.LabelSets.Count, counts.GetProperty("labelSets").GetInt32());
        Assert.Equal(Fixture.Categories, counts.GetProperty("categories").GetInt32());
        Assert.Equal(Fixture.Documents.Count, counts.GetProperty("documents").GetInt32());
        Assert.Equal(Fixture.AnnotationSetsByDocument.Values.Sum(), counts.GetProperty("annotationSets").GetInt32());
        Assert.Equal(Fixture.AnnotationsByDocument.Values.Sum(), counts.GetProperty("annotations").GetInt32());
        var byStatus = counts.GetProperty("documentsByDatasetStatus");
        foreach (var (name, code) in new[] { ("none", 0), ("preparation", 1), ("training", 2), ("test", 3), ("excluded", 4) })
        {
            Assert.Equal(Fixture.DocumentsWithStatus(code), byStatus.GetProperty(name).GetInt32());
        }

        Assert.Contains(projectId, await service.Http.ListProjectIdsAsync());
        await AssertEachDocumentMatchesItsFolderAsync(projectId);
    }

    [Fact]
    public async Task Discarding_a_failed_import_removes_items_of_documents_whose_record_was_never_written()
    {
        var imports = service.Services.GetRequiredService<Snapshots.Imports.ImportService>();
        var store = service.Services.GetRequiredService<ProjectStore>();
        await using var upload = new MemoryStream(ExportArchives.FromFolder(Fixture.Folder));
        var staged = await imports.StageAsync(upload, default);
        var request = await imports.PlanAsync(Snapshots.Imports.ImportService.Upload(staged, "failed between items and record", null), default);
        // What a batch leaves when it fails after a document's annotations and before its record: items with no document.
        var documentIds = Fixture.Documents.Select(d => d["id"]!.ToString()).Where((_, i) => i % 10 == 0).ToList();
        foreach (var documentId in documentIds)
        {
            await store.UpsertDocumentItemAsync(request.ProjectId, documentId, new Annotation { Id = "orphan", DocumentId = documentId, LabelId = "1" }, default);
        }

        await service.Services.GetRequiredService<Snapshots.Imports.KonfuzioImporter>().DiscardAsync(request, default);

        foreach (var documentId in documentIds)
        {
            Assert.Empty(await store.ListDocumentItemsAsync<Annotation>(request.ProjectId, documentId, default).CollectAsync());
        }
    }

    [Fact]
    public async Task Each_import_step_opens_the_upload_with_only_the_entries_it_reads()
    {
        var imports = service.Services.GetRequiredService<Snapshots.Imports.ImportService>();
        var staging = service.Services.GetRequiredService<Snapshots.Imports.ImportStaging>();
        var perBatch = service.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Snapshots.Imports.ImportOptions>>().Value.DocumentsPerBatch;
        await using var upload = new MemoryStream(ExportArchives.FromFolder(Fixture.Folder));
        var staged = await imports.StageAsync(upload, default);
        var request = await imports.PlanAsync(Snapshots.Imports.ImportService.Upload(staged, "partial directories", null), default);
        try
        {
            Assert.True(request.BatchCount > 1, "The fixture must need more than one batch for this test to mean anything.");
            for (var batch = 0; batch < request.BatchCount; batch++)
            {
                var expected = Fixture.Documents.Skip(batch * perBatch).Take(perBatch).Select(d => d["id"]!.ToString()).ToHashSet();
                using var zip = await staging.OpenPartAsync(staged.ImportId, Snapshots.Imports.ImportPart.Batch(batch), default);
                var folders = zip.Entries.Select(e => e.FullName.Split('/')).Where(p => p.Length >= 3 && p[^3] == "documents").Select(p => p[^2]).ToHashSet();
                Assert.NotEmpty(folders);
                Assert.Subset(expected, folders);
                Assert.Contains(zip.Entries, e => e.Name == "documents_meta.json5");
            }

            using var schema = await staging.OpenPartAsync(staged.ImportId, Snapshots.Imports.ImportPart.Schema, default);
            Assert.DoesNotContain(schema.Entries, e => e.FullName.Contains("documents/", StringComparison.Ordinal));
        }
        finally
        {
            await service.Services.GetRequiredService<Snapshots.Imports.KonfuzioImporter>().DiscardAsync(request, default);
        }
    }

    [Fact]
    public async Task A_categorys_default_label_set_belongs_to_its_category_and_keeps_the_label_sets_it_lists()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "category links");
        var store = service.Services.GetRequiredService<ProjectStore>();

        // In label_sets.json5, 63 is the default label set of category 63; its default_section_labels lists the
        // label sets the category uses (3706, 3686, 3707), which are no categories.
        var category = await store.GetAsync<LabelSet>(projectId, "63", default);
        var used = await store.GetAsync<LabelSet>(projectId, "3706", default);

        Assert.Equal(["63"], category!.CategoryIds);
        Assert.Equal([3706, 3686, 3707], category.Extra!["default_section_labels"].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(["63"], used!.CategoryIds);
    }

    [Fact]
    public async Task Imported_entities_keep_every_field_of_the_export_including_unknown_ones()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "round trip");
        var store = service.Services.GetRequiredService<ProjectStore>();

        AssertRoundTrip(Fixture.Find("labels.json5", "867"), await store.GetAsync<Label>(projectId, "867", default),
            new() { ["text"] = "name", ["get_data_type_display"] = "dataType" });
        AssertRoundTrip(Fixture.Find("label_sets.json5", "64"), await store.GetAsync<LabelSet>(projectId, "64", default),
            new() { ["is_default"] = "isDefault", ["has_multiple_sections"] = "hasMultipleSections", ["labels"] = "labelIds", ["default_section_labels"] = "categoryIds" });
        AssertRoundTrip(Fixture.Find("documents_meta.json5", "44823"), await store.GetAsync<Document>(projectId, "44823", default),
            new() { ["data_file_name"] = "name", ["dataset_status"] = "datasetStatus", ["category_template"] = "categoryId", ["number_of_pages"] = "numberOfPages" });

        var annotation = (await store.ListDocumentItemsAsync<Annotation>(projectId, "44823", default).CollectAsync()).Single(a => a.Id == "12516017");
        AssertRoundTrip(Fixture.Find("documents/44823/annotations.json5", "12516017"), annotation,
            new()
            {
                ["label"] = "labelId", ["section"] = "annotationSetId", ["section_label_id"] = "labelSetId", ["offset_string"] = "offsetString",
                ["start_offset"] = "startOffset", ["end_offset"] = "endOffset", ["is_correct"] = "isCorrect", ["accuracy"] = "confidence",
            });

        var document = await store.GetAsync<Document>(projectId, "44823", default);
        Assert.Equal(Directory.GetFiles(Path.Combine(Fixture.Folder, "documents", "44823")).Count(f => !f.EndsWith(".json5")), document!.Files.Count);
        Assert.Equal(JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture.Folder, "documents/44823/pages.json5")))!.ToJsonString(),
            JsonSerializer.Serialize(document.Pages));
        var text = service.Services.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(BlobClientNames.Data)
            .GetBlobContainerClient(BlobContainerNames.Documents).GetBlobClient($"{projectId}/44823/document.txt");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Fixture.Folder, "documents/44823/document.txt")),
            (await text.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_document_listed_without_a_folder_is_imported_as_metadata_with_a_warning()
    {
        var zip = ExportArchives.SmallFixture();
        var response = await service.Http.PostZipAsync("/api/imports?name=warnings", zip);
        var accepted = await response.ReadJsonObjectAsync();
        var operation = await service.WaitForOperationAsync(accepted["statusUri"]!.GetValue<string>());

        Assert.Equal("Completed", operation.Status);
        var warnings = operation.Output!.Value.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Equal(Fixture.Documents.Count - 2, warnings.Count);
        Assert.Contains(warnings, w => w!.Contains("216836") && w.Contains("metadata only"));
        Assert.Equal(Fixture.Documents.Count, operation.Output.Value.Get("written.documents").GetInt32());
    }

    [Fact]
    public async Task Json5_syntax_in_the_export_is_read()
    {
        var labels = """
            // labels of a tiny project
            [{id: 1, text: 'Total', description: "sum", get_data_type_display: 'Number', threshold: .5, custom: 0x10,},]
            """;
        var zip = ExportArchives.Zip(new Dictionary<string, string>
        {
            ["export/labels.json5"] = labels,
            ["export/label_sets.json5"] = "[{id: 7, name: 'Invoice', is_default: true, labels: [1], default_section_labels: [7]}]",
            ["export/documents_meta.json5"] = "[{id: 5, data_file_name: 'a.pdf', dataset_status: 2, category_template: 7}]",
            ["export/documents/5/annotation_sets.json5"] = "[{id: 9, section_label: 7, parent: null}]",
            ["export/documents/5/annotations.json5"] = "[{id: 11, label: 1, section: 9, offset_string: '10', /* trailing */}]",
            ["export/documents/5/document.txt"] = "Total 10",
        });

        var projectId = await service.ImportAsync(zip, "json5");

        var label = await service.Services.GetRequiredService<ProjectStore>().GetAsync<Label>(projectId, "1", default);
        Assert.Equal("Total", label!.Name);
        Assert.Equal(0.5, label.Threshold);
        Assert.Equal(16, label.Extra!["custom"].GetInt32());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts");
        Assert.Equal(1, counts.GetProperty("annotations").GetInt32());
        Assert.Equal(1, counts.GetProperty("categories").GetInt32());
    }

    /// <summary>What the zip's listing shows is refused by the request (400); what needs the contents, by the import (202, then failed).</summary>
    public static TheoryData<string, Dictionary<string, string?>, HttpStatusCode, string[]> BadExports => new()
    {
        { "missing labels.json5", new() { ["labels.json5"] = null }, HttpStatusCode.BadRequest, ["labels.json5", "missing"] },
        { "malformed JSON5", new() { ["label_sets.json5"] = "[{\"id\": 64, \"name\": }]" }, HttpStatusCode.Accepted, ["label_sets.json5", "line 1", "malformed"] },
        {
            "annotation with an unknown label",
            new() { ["documents/44823/annotations.json5"] = "[{\"id\": 1, \"label\": 999999, \"section\": 78730}]" },
            HttpStatusCode.Accepted,
            ["documents/44823/annotations.json5", "annotation 1", "unknown label 999999"]
        },
        {
            "unknown dataset status", new() { ["documents_meta.json5"] = "[{\"id\": 44823, \"dataset_status\": 9}]" },
            HttpStatusCode.Accepted, ["documents_meta.json5", "dataset_status 9"]
        },
    };

    [Theory]
    [MemberData(nameof(BadExports))]
    public async Task A_bad_export_is_refused_naming_the_file_and_leaves_nothing_behind(
        string why, Dictionary<string, string?> change, HttpStatusCode status, string[] expected)
    {
        var before = await service.Http.ListProjectIdsAsync();

        var refusal = await service.Http.UploadRefusedAsync($"/api/imports?name={Uri.EscapeDataString(why)}", ExportArchives.SmallFixture(change));

        Assert.Equal(status, refusal.Status);
        Assert.All(expected, part => Assert.Contains(part, refusal.Reason));
        Assert.Equal(before, await service.Http.ListProjectIdsAsync());
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task The_uploader_follows_an_import_whose_export_is_refused_and_nobody_else_sees_it()
    {
        using var uploader = service.ClientWith(service.Token(new Access.DevelopmentTokenRequest("plain-uploader")));
        using var stranger = service.ClientWith(service.Token(new Access.DevelopmentTokenRequest("stranger")));
        var zip = ExportArchives.SmallFixture(new Dictionary<string, string?> { ["label_sets.json5"] = "[{\"id\": 64, \"name\": }]" });

        var refusal = await uploader.UploadRefusedAsync("/api/imports?name=uploader", zip);

        Assert.Equal(HttpStatusCode.Accepted, refusal.Status);
        Assert.Contains("label_sets.json5", refusal.Reason);
        var latest = await LatestImportIdAsync(uploader, zip);
        Assert.Equal(HttpStatusCode.OK, (await uploader.GetAsync($"/api/operations/{latest}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/operations/{latest}")).StatusCode);
    }

    private static async Task<string> LatestImportIdAsync(HttpClient client, byte[] zip)
    {
        var response = await client.PostZipAsync("/api/imports?name=uploader-again", zip);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.ReadJsonObjectAsync())["id"]!.GetValue<string>();
        await client.WaitUntilOrchestrationEndsAsync(id);
        return id;
    }

    [Fact]
    public async Task A_zip_whose_directory_claims_ten_million_entries_is_a_413_before_the_directory_is_read()
    {
        // Only a zip64 end of central directory: the entry count is read from it, the directory itself never.
        var zip = new byte[56 + 20 + 22];
        var record = zip.AsSpan(0, 56);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06064b50);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record[4..], 44);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record[24..], 10_000_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record[32..], 10_000_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record[40..], 10_000_000L * 46);
        var locator = zip.AsSpan(56, 20);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
        var end = zip.AsSpan(76, 22);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        end.Slice(8, 12).Fill(0xFF);

        var response = await service.Http.PostZipAsync("/api/imports?name=many-entries", zip);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, ["10000000 entries", "MaxEntries"]);
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task A_zip_that_is_not_a_project_export_is_a_400()
    {
        var response = await service.Http.PostZipAsync("/api/imports?name=x", ExportArchives.Zip(new Dictionary<string, string> { ["notes.txt"] = "hello" }));

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, ["not a Konfuzio project export", "documents_meta.json5"]);
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_a_zip_is_a_400()
    {
        var response = await service.Http.PostZipAsync("/api/imports?name=x", "{\"labels\": []}"u8.ToArray());

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, ["not a zip archive"]);
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_a_413_and_leaves_nothing_behind()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports?name=big") { Content = new ByteArrayContent(new byte[ServiceFixture.MaxUploadBytes + 1]) };
        request.Headers.ExpectContinue = true;
        var response = await service.Http.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, ["MaxUploadBytes"]);
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task A_chunked_upload_is_cut_off_at_the_size_limit_with_a_413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports?name=chunked")
        {
            Content = new StreamContent(new MemoryStream(new byte[ServiceFixture.MaxUploadBytes + 1])),
        };
        request.Headers.TransferEncodingChunked = true;
        var response = await service.Http.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, ["MaxUploadBytes"]);
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task A_zip_bomb_is_a_413_before_anything_is_extracted()
    {
        var bomb = ExportArchives.SmallFixture(new Dictionary<string, string?> { ["documents/44823/document.txt"] = new string('0', 4 * 1024 * 1024) });

        var response = await service.Http.PostZipAsync("/api/imports?name=bomb", bomb);

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, ["documents/44823/document.txt", "compression ratio"]);
        await AssertNoStagedImportsAsync();
    }

    [Fact]
    public async Task An_import_without_a_name_is_a_400()
    {
        var response = await service.Http.PostZipAsync("/api/imports", ExportArchives.SmallFixture());

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, ["name"]);
    }

    [Fact]
    public async Task An_unknown_project_is_a_404_problem()
    {
        var response = await service.Http.GetAsync("/api/projects/no-such-project");

        await AssertRejectedAsync(response, HttpStatusCode.NotFound, ["no-such-project"]);
    }

    private async Task AssertEachDocumentMatchesItsFolderAsync(string projectId)
    {
        var seen = new List<JsonElement>();
        string? continuation = null;
        do
        {
            var uri = $"/api/projects/{projectId}/documents?pageSize=10" + (continuation is null ? "" : "&continuationToken=" + Uri.EscapeDataString(continuation));
            var page = await service.Http.GetFromJsonAsync<JsonElement>(uri);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 10);
            seen.AddRange(items);
            continuation = page.TryGetProperty("continuationToken", out var token) ? token.GetString() : null;
        }
        while (continuation is not null);

        Assert.Equal(Fixture.Documents.Select(d => d["id"]!.ToString()).Order(), seen.Select(d => d.GetProperty("id").GetString()!).Order());
        foreach (var document in seen)
        {
            var id = document.GetProperty("id").GetString()!;
            Assert.Equal(Fixture.AnnotationsByDocument.GetValueOrDefault(id), document.GetProperty("annotationCount").GetInt32());
            Assert.Equal(Fixture.AnnotationSetsByDocument.GetValueOrDefault(id), document.GetProperty("annotationSetCount").GetInt32());
        }
    }

    private static void AssertRoundTrip(JsonObject source, object? entity, Dictionary<string, string> renamed)
    {
        Assert.NotNull(entity);
        var stored = JsonSerializer.SerializeToNode(entity, entity.GetType(), SnapshotsJson.Options)!.AsObject();
        foreach (var (name, value) in source)
        {
            var target = renamed.GetValueOrDefault(name, name);
            Assert.True(stored.ContainsKey(target) || value is null, $"field '{name}' was lost");
            if (name == "dataset_status")
            {
                Assert.Equal(((DatasetStatus)value!.GetValue<int>()).ToString().ToLowerInvariant(), stored[target]!.GetValue<string>());
            }
            else if (renamed.ContainsKey(name) || name == "id")
            {
                Assert.Equal(Normalize(value), Normalize(stored[target]));
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(value, stored[target]), $"field '{name}': {value?.ToJsonString()} != {stored[target]?.ToJsonString()}");
            }
        }
    }

    // Ids become strings in the model; lists of ids likewise.
    private static string Normalize(JsonNode? node) => node switch
    {
        JsonArray array => string.Join(",", array.Select(Normalize)),
        null => "null",
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.GetValue<double>().ToString("R"),
        _ => node.ToString(),
    };

    private static async Task AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string[] detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.ReadJsonObjectAsync())["detail"]!.GetValue<string>();
        Assert.DoesNotContain("\n", detail);
        foreach (var part in detailContains)
        {
            Assert.Contains(part, detail, StringComparison.OrdinalIgnoreCase);
        }
    }

    private async Task AssertNoStagedImportsAsync()
    {
        var imports = service.Services.GetRequiredService<IAzureClientFactory<BlobServiceClient>>().CreateClient(BlobClientNames.Data)
            .GetBlobContainerClient(BlobContainerNames.Imports);
        var staged = (await imports.GetBlobsAsync().CollectAsync()).Select(b => b.Name).ToList();
        Assert.Empty(staged);
    }
}
