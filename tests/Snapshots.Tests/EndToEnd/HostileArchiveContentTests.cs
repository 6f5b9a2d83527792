using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Testing.Seeding;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// Archives whose bytes are intact (checksums, sizes and counts all match) but whose content is wrong: each is
/// refused by the one verification pass before anything is written, naming the entry and the line.
/// </summary>
[Collection(RestoreSafetyTestGroup.Name)]
public sealed class HostileArchiveContentTests(ServiceFixture service)
{
    private static readonly SeedSpec Spec = new() { Name = "content", Documents = 4, AnnotationsPerDocument = 3, Ais = 9, DocumentFileBytes = 200, ModelFileBytes = 200 };

    public static TheoryData<string, string> Attacks() => new()
    {
        { "annotation of a document not in the archive", "annotations.ndjson line 1: annotation '" },
        { "annotation with a label not in the archive", "points to label 'no-such-label'" },
        { "annotation with an annotation set its document lacks", "points to annotation set 'no-such-set'" },
        { "annotation set with a label set not in the archive", "annotation_sets.ndjson line 1: annotation set" },
        { "label set with a category not in the archive", "label_sets.ndjson line 1: label set" },
        { "label set with a label not in the archive", "points to label 'no-such-label'" },
        { "document with a category not in the archive", "documents.ndjson line 1: document" },
        { "AI with a category not in the archive", "ais.ndjson line 1: AI" },
        { "a line that is not JSON", "documents.ndjson line 2: not a valid Document" },
        { "a line of the wrong type", "labels.ndjson line 1: not a valid Label" },
        { "two documents with one id", "documents.ndjson line 2: document" },
        { "an id with a path separator", "documents.ndjson line 1: the document id '../escape' is not well-formed" },
        { "a file whose document is not in the archive", "belongs to no document, AI or project" },
        { "a null id", "documents.ndjson line 1: not a valid Document" },
        { "a null list", "label_sets.ndjson line 1: not a valid LabelSet" },
        { "a line longer than the largest item", "documents.ndjson line 2: longer than 2 MiB" },
        { "two projects", "project.json line 2: an archive holds one project" },
        { "a part listed twice", "The manifest lists 'labels.ndjson' twice" },
        { "annotation with a label set not in the archive", "points to label set 'no-such-label-set'" },
        { "annotation set of a document not in the archive", "points to document 'no-such-document'" },
        { "annotation set with a parent its document lacks", "has the parent 'no-such-parent'" },
        { "two labels with one id", "labels.ndjson line 2: label" },
        { "two annotations with one id in a document", "appears twice in document" },
        { "an annotation set id with a path separator", "the annotation set id 'a/b' is not well-formed" },
        { "a file with an unsafe name", "a file has an unsafe name" },
        { "a file of an AI not in the archive", "belongs to no document, AI or project" },
        { "a file no index part lists", "is not listed in the manifest" },
        { "a file listed twice", "is listed twice" },
        { "a file listing outside the files folder", "a file listing needs a path under files/" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task An_intact_archive_with_wrong_content_ends_its_restore_before_anything_is_written(string attack, string expected)
    {
        var hostile = Rewrite(new ZipRewriter(await ArchiveAsync()), attack).ToBytes();
        var projectsBefore = await service.Http.ListProjectIdsAsync();

        var offline = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
        {
            using var reader = SnapshotArchiveReader.Open(new MemoryStream(hostile), new Imports.ImportOptions());
            await reader.VerifyAsync(default);
        });
        var refusal = await service.Http.UploadRefusedAsync("/api/imports?name=hostile", hostile);

        Assert.Contains(expected, offline.Message);
        Assert.True(refusal.Status is HttpStatusCode.Accepted or HttpStatusCode.BadRequest, $"{(int)refusal.Status} {refusal.Reason}");
        Assert.Contains(expected, refusal.Reason);
        await Eventually.ReturnsAsync(() => service.Http.ListProjectIdsAsync(), ids => ids.SequenceEqual(projectsBefore), TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("annotation of a document not in the archive", "annotations.ndjson line 1")]
    [InlineData("a line that is not JSON", "documents.ndjson line 2")]
    public async Task A_merge_of_such_an_archive_ends_in_contact_support_with_the_target_untouched(string attack, string expected)
    {
        var seeder = service.Services.GetRequiredService<SyntheticProjectSeeder>();
        var snapshot = await service.Http.CreateSnapshotAsync(await seeder.SeedAsync(Spec), "dataset", "ai");
        var identifier = snapshot.GetProperty("identifier").GetString()!;
        var archive = service.Services.GetRequiredService<SnapshotBlobs>().Archive(identifier);
        var hostile = Rewrite(new ZipRewriter((await archive.DownloadContentAsync()).Value.Content.ToArray()), attack).ToBytes();
        await archive.UploadAsync(new MemoryStream(hostile), new Azure.Storage.Blobs.Models.BlobUploadOptions());
        var targetId = await seeder.SeedAsync(Spec with { Name = "target" });
        var before = await TargetState.ReadAsync(service, targetId);

        var restore = await service.Http.RestoreAsync(snapshot.GetProperty("id").GetString()!, new { targetProjectId = targetId });

        Assert.Equal("contactSupport", restore.GetProperty("status").GetString());
        Assert.Contains(expected, restore.GetProperty("error").GetString());
        Assert.Equal(before, await TargetState.ReadAsync(service, targetId));
    }

    private static readonly Dictionary<ServiceFixture, Task<byte[]>> Archives = [];

    /// <summary>One sound dataset+AI archive per service, downloaded once: every attack starts from it.</summary>
    private Task<byte[]> ArchiveAsync()
    {
        lock (Archives)
        {
            if (!Archives.TryGetValue(service, out var archive))
            {
                Archives[service] = archive = DownloadAsync();
            }

            return archive;
        }

        async Task<byte[]> DownloadAsync()
        {
            var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(Spec);
            var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");
            return await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");
        }
    }

    private static ZipRewriter Rewrite(ZipRewriter zip, string attack) => attack switch
    {
        "annotation of a document not in the archive" => zip.EditLineSealed(ArchiveEntries.Annotations, 0, a => a["documentId"] = "no-such-document"),
        "annotation with a label not in the archive" => zip.EditLineSealed(ArchiveEntries.Annotations, 0, a => a["labelId"] = "no-such-label"),
        "annotation with an annotation set its document lacks" => zip.EditLineSealed(ArchiveEntries.Annotations, 0, a => a["annotationSetId"] = "no-such-set"),
        "annotation set with a label set not in the archive" => zip.EditLineSealed(ArchiveEntries.AnnotationSets, 0, s => s["labelSetId"] = "no-such-label-set"),
        "label set with a category not in the archive" => zip.EditLineSealed(ArchiveEntries.LabelSets, 0, s => s["categoryIds"] = new JsonArray("no-such-category")),
        "label set with a label not in the archive" => zip.EditLineSealed(ArchiveEntries.LabelSets, 0, s => s["labelIds"] = new JsonArray("no-such-label")),
        "document with a category not in the archive" => zip.EditLineSealed(ArchiveEntries.Documents, 0, d => d["categoryId"] = "no-such-category"),
        "AI with a category not in the archive" => zip.EditLineSealed(ArchiveEntries.Ais, 0, a => a["categoryId"] = "no-such-category"),
        "a line that is not JSON" => zip.ReplaceLinesSealed(ArchiveEntries.Documents, lines => [lines[0], "{\"id\": \"broken", .. lines.Skip(2)]),
        "a line of the wrong type" => zip.ReplaceLinesSealed(ArchiveEntries.Labels, lines => ["[1, 2, 3]", .. lines.Skip(1)]),
        "two documents with one id" => zip.ReplaceLinesSealed(ArchiveEntries.Documents, lines =>
        {
            var first = JsonNode.Parse(lines[0])!["id"]!.GetValue<string>();
            var second = JsonNode.Parse(lines[1])!.AsObject();
            second["id"] = first;
            return [lines[0], second.ToJsonString(), .. lines.Skip(2)];
        }),
        "an id with a path separator" => zip.EditLineSealed(ArchiveEntries.Documents, 0, d => d["id"] = "../escape"),
        "a file whose document is not in the archive" => zip.RenameSealed(
            name => name.StartsWith("files/documents/", StringComparison.Ordinal),
            name => "files/documents/ghost/" + name.Split('/').Last()),
        "a null id" => zip.EditLineSealed(ArchiveEntries.Documents, 0, d => d["id"] = null),
        "a null list" => zip.EditLineSealed(ArchiveEntries.LabelSets, 0, s => s["labelIds"] = null),
        // Random (incompressible) text, so the zip stays under the compression-ratio limit and the line check is what refuses it.
        "a line longer than the largest item" => zip.EditLineSealed(ArchiveEntries.Documents, 1,
            d => d["padding"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2 * 1024 * 1024))),
        "two projects" => zip.ReplaceLinesSealed(ArchiveEntries.Project, lines => [lines[0], lines[0]]),
        "annotation with a label set not in the archive" => zip.EditLineSealed(ArchiveEntries.Annotations, 0, a => a["labelSetId"] = "no-such-label-set"),
        "annotation set of a document not in the archive" => zip.EditLineSealed(ArchiveEntries.AnnotationSets, 0, s => s["documentId"] = "no-such-document"),
        "annotation set with a parent its document lacks" => zip.EditLineSealed(ArchiveEntries.AnnotationSets, 0, s => s["parentId"] = "no-such-parent"),
        "two labels with one id" => zip.ReplaceLinesSealed(ArchiveEntries.Labels, lines =>
        {
            var second = JsonNode.Parse(lines[1])!.AsObject();
            second["id"] = JsonNode.Parse(lines[0])!["id"]!.GetValue<string>();
            return [lines[0], second.ToJsonString(), .. lines.Skip(2)];
        }),
        "two annotations with one id in a document" => zip.ReplaceLinesSealed(ArchiveEntries.Annotations, lines => [lines[0], lines[0], .. lines.Skip(2)]),
        "an annotation set id with a path separator" => zip.EditLineSealed(ArchiveEntries.AnnotationSets, 0, s => s["id"] = "a/b"),
        "a file with an unsafe name" => zip.EditLineSealed(ArchiveEntries.Documents, 0, d => d["files"]![0]!["name"] = "../../other-project/x.pdf"),
        "a file of an AI not in the archive" => zip.RenameSealed(
            name => name.StartsWith("files/ais/", StringComparison.Ordinal),
            name => "files/ais/ghost/" + name.Split('/').Last()),
        "a file no index part lists" => zip.ReplaceLinesSealed(ArchiveEntries.FileIndex(0), lines => [.. lines.Skip(1)]),
        "a file listed twice" => zip.ReplaceLinesSealed(ArchiveEntries.FileIndex(0), lines => [.. lines, lines[0]]),
        "a file listing outside the files folder" => zip.EditLineSealed(ArchiveEntries.FileIndex(0), 0, f => f["path"] = ArchiveEntries.Documents),
        "a part listed twice" => zip.EditManifest(m => m["parts"]!.AsArray().Add(m["parts"]!.AsArray().First(p => (string?)p!["path"] == ArchiveEntries.Labels)!.DeepClone())),
        _ => throw new ArgumentOutOfRangeException(nameof(attack)),
    };
}
