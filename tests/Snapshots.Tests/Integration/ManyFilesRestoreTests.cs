using System.IO.Compression;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Projects;
using Snapshots.Restore;
using Snapshots.Storage;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.Integration;

/// <summary>
/// A stored archive of 300 000 files through the restore's own steps: the whole-archive steps (verification, plan)
/// at full size, and a batch that reads only its own part of the archive's directory. Every batch costs the same, so
/// one batch stands for all 30: restoring all 300 000 files into Azurite would take about 8 minutes here (the
/// 11 000-file restore of <c>LargeUploadTests</c> runs at about 600 files/s), more than half the suite. On the
/// service with the larger entry limit: the documents' list of 300 000 files is 19 MB.
/// </summary>
[Collection(UploadTestGroup.Name)]
public sealed class ManyFilesRestoreTests(UploadServiceFixture service, ITestOutputHelper output) : IDisposable
{
    private const int Documents = 3_000, FilesPerDocument = 100, Files = Documents * FilesPerDocument;
    private readonly string folder = Directory.CreateTempSubdirectory("snapshots-many-files-restore-").FullName;

    private BlobContainerClient Staging => service.Services.GetRequiredService<BlobAccounts>().Data.GetBlobContainerClient(BlobContainerNames.Imports);

    [Fact]
    public async Task Three_hundred_thousand_files_are_verified_and_planned_whole_and_a_batch_restores_from_its_own_directory()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        void Step(string name) => output.WriteLine($"{name}: {watch.Elapsed.TotalSeconds:F1} s");
        var identifier = $"snp-many-{Guid.NewGuid():N}";
        var path = Path.Combine(folder, "many.zip");
        ManyFilesArchive.Write(path, Documents, FilesPerDocument, identifier);
        Step("written");
        var blobs = service.Services.GetRequiredService<SnapshotBlobs>();
        await using (var archive = File.OpenRead(path))
        {
            await blobs.Archive(identifier).UploadAsync(archive);
        }

        using (var zip = ZipFile.OpenRead(path))
        await using (var manifest = zip.GetEntry(ArchiveEntries.Manifest)!.Open())
        {
            await blobs.Manifest(identifier).UploadAsync(manifest);
        }

        Step("uploaded");
        var request = new RestoreRequest($"many-{Guid.NewGuid():N}", identifier, $"many-files-{Guid.NewGuid():N}", Merge: false, NewProject: true);
        var restorer = service.Services.GetRequiredService<DocumentRestorer>();
        var verified = await restorer.VerifyAsync(request, default);
        Step("verified");
        await service.Services.GetRequiredService<SchemaRestorer>().RestoreAsync(request, default);
        var plan = await restorer.PlanAsync(request, default);
        Step("planned");

        Assert.Equal((Documents, Files), (verified.Documents, verified.Files));
        Assert.Equal((Documents / DocumentRestorer.DocumentsPerBatch, Documents), (plan.Batches, plan.Documents));

        // Each batch opens the archive with the manifest and its own 10 000 files' records, not the 300 000.
        var directories = await Staging.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"restore-{request.RestoreId}/directories/" }).CollectAsync();
        Assert.Equal(plan.Batches, directories.Count);
        var wholeDirectory = await WholeDirectoryBytesAsync(path);
        Assert.All(directories, d => Assert.True(d.Properties.ContentLength < wholeDirectory / 20, $"{d.Name}: {d.Properties.ContentLength} of {wholeDirectory} bytes"));

        var last = plan.Batches - 1;
        var restored = await restorer.RestoreBatchAsync(new RestoreBatch(request, last), default);
        Step("batch restored");

        Assert.Equal((DocumentRestorer.DocumentsPerBatch, DocumentRestorer.DocumentsPerBatch * FilesPerDocument), (restored.Documents, restored.Files));
        var document = Documents - 1;
        var newId = DocumentRestorer.NewDocumentId(request, $"d{document}");
        var files = service.Services.GetRequiredService<ProjectFiles>();
        foreach (var file in new[] { 0, FilesPerDocument - 1 })
        {
            var content = await files.Documents.GetBlobClient(ProjectFiles.BlobName(request.ProjectId, newId, $"page-{file}.txt")).DownloadContentAsync();
            Assert.Equal(ManyFilesArchive.Content(document, file), content.Value.Content.ToArray());
        }

        await service.Services.GetRequiredService<ProjectStore>().DeleteProjectAsync(request.ProjectId, default);
        // The batch's 10 000 restored files stay (deleting them one by one would take Azurite longer than the test);
        // they sit under a project id nothing else uses, in the fixture's data folder, removed with it.
        await Staging.DeleteByPrefixAsync($"restore-{request.RestoreId}/", default);
        await blobs.Container.DeleteByPrefixAsync($"{identifier}/", default);
    }

    /// <summary>The size of the archive's whole directory, cut the way the plan cuts a batch's.</summary>
    private static async Task<long> WholeDirectoryBytesAsync(string path)
    {
        await using var zip = File.OpenRead(path);
        var records = await ZipDirectoryRecords.ReadAsync(zip, reason => new InvalidDataException(reason), default);
        return records.DirectoryOf(Enumerable.Range(0, records.Count).ToList()).Length;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
