using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Testing.Seeding;
using Snapshots.Storage;
using Snapshots.Tests.Support;
using Xunit.Abstractions;

namespace Snapshots.Tests.EndToEnd;

/// <summary>
/// The upload request only stages the body and reads the zip's central directory: a 200 MB snapshot zip is answered
/// 202 within a second of its last byte, and its verification (a SHA-256 of every entry) runs afterwards, in the
/// restore, where it finds the entry this test damaged.
/// </summary>
[Collection(LargeUploadTestGroup.Name)]
public sealed class LargeUploadTests(UploadServiceFixture service, ITestOutputHelper output)
{
    private const long PaddingBytes = 200L * 1000 * 1000;

    [Fact]
    public async Task A_200_MB_upload_is_answered_202_within_a_second_and_verified_afterwards()
    {
        var projectId = await service.Services.GetRequiredService<SyntheticProjectSeeder>().SeedAsync(
            new SeedSpec { Name = "large upload source", Documents = 3, AnnotationsPerDocument = 2, Ais = 1, DocumentFileBytes = 300, ModelFileBytes = 200 });
        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");
        var archive = await service.Http.GetByteArrayAsync($"/api/snapshots/{snapshot.GetProperty("id").GetString()}/download");
        var zipPath = Path.Combine(service.DataDirectory, "large-upload.zip");
        var damaged = WriteWithOneFileReplaced(archive, zipPath);
        var projectsBefore = await service.Http.ListProjectIdsAsync();

        using var content = new TimedFileContent(zipPath);
        using var response = await service.Http.PostAsync("/api/imports?name=large-upload", content);
        var answeredAfter = Stopwatch.GetElapsedTime(content.LastByteSent);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {body}");
        output.WriteLine($"{new FileInfo(zipPath).Length} bytes uploaded; answered 202 {answeredAfter.TotalMilliseconds:F0} ms after the last byte.");
        Assert.True(answeredAfter < TimeSpan.FromSeconds(1), $"answered {answeredAfter.TotalMilliseconds:F0} ms after the last byte");

        var restoreId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        var restore = await service.Http.WaitForRestoreAsync(restoreId);
        Assert.Equal("contactSupport", restore.GetProperty("status").GetString());
        Assert.Contains($"Checksum mismatch for '{damaged}'", restore.GetProperty("error").GetString());

        // Nothing of it stays: not its project, not the archive it was copied to, not the staged upload.
        await Eventually.ReturnsAsync(() => service.Http.ListProjectIdsAsync(), ids => ids.SequenceEqual(projectsBefore), TimeSpan.FromSeconds(30));
        var identifier = restore.GetProperty("identifier").GetString()!;
        await Eventually.ReturnsAsync(() => service.Services.GetRequiredService<SnapshotBlobs>().ReadManifestAsync(identifier, default),
            manifest => manifest is null, TimeSpan.FromSeconds(30));
        var staging = service.Services.GetRequiredService<BlobAccounts>().Data.GetBlobContainerClient(BlobContainerNames.Imports);
        Assert.DoesNotContain(await staging.GetBlobsAsync().CollectAsync(), blob => blob.Name.EndsWith("/upload.zip", StringComparison.Ordinal));
    }

    /// <summary>
    /// Restored end to end, an archive whose files span two index parts (300 000 files are verified offline in
    /// <c>ManyFilesArchiveTests</c>, and verified, planned and restored one batch in <c>ManyFilesRestoreTests</c>:
    /// restoring all of them would take Azurite most of the suite's time).
    /// </summary>
    [Fact]
    public async Task An_archive_whose_files_span_two_index_parts_is_verified_and_restored_with_every_file()
    {
        const int documents = 110, filesPerDocument = 100, files = documents * filesPerDocument;
        var zipPath = Path.Combine(service.DataDirectory, "many-files.zip");
        ManyFilesArchive.Write(zipPath, documents, filesPerDocument);

        using var content = new StreamContent(File.OpenRead(zipPath));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var watch = Stopwatch.StartNew();
        using var response = await service.Http.PostAsync("/api/imports?name=many-files", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} {body}");
        var restore = await Eventually.ReturnsAsync(
            () => service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()}"),
            r => r.GetProperty("status").GetString() is "restored" or "contactSupport", TimeSpan.FromMinutes(10));
        output.WriteLine($"{files} files restored in {watch.Elapsed.TotalSeconds:F0} s");

        Assert.True(restore.GetProperty("status").GetString() == "restored", restore.ToString());
        Assert.Equal((files, files), (restore.Get("progress.files.done").GetInt32(), restore.Get("progress.files.total").GetInt32()));
        Assert.Equal(files, restore.Get("report.files").GetInt32());
        var counts = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{restore.GetProperty("projectId").GetString()}")).GetProperty("counts");
        Assert.Equal(documents, counts.GetProperty("documents").GetInt32());
    }

    /// <summary>The archive with its first document file swapped for 200 MB of random bytes its manifest knows nothing of.</summary>
    private static string WriteWithOneFileReplaced(byte[] archive, string path)
    {
        using var source = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var damaged = source.Entries.First(e => e.FullName.StartsWith(ArchiveEntries.FilesFolder, StringComparison.Ordinal)).FullName;
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            using var to = target.CreateEntry(entry.FullName, entry.FullName == damaged ? CompressionLevel.NoCompression : CompressionLevel.Fastest).Open();
            if (entry.FullName == damaged)
            {
                WriteRandom(to, PaddingBytes);
            }
            else
            {
                using var from = entry.Open();
                from.CopyTo(to);
            }
        }

        return damaged;
    }

    private static void WriteRandom(Stream to, long bytes)
    {
        var random = new Random(11);
        var chunk = new byte[1 << 20];
        for (var written = 0L; written < bytes; written += chunk.Length)
        {
            random.NextBytes(chunk);
            to.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - written));
        }
    }

    /// <summary>A file as a request body that notes when its last byte went out.</summary>
    private sealed class TimedFileContent : HttpContent
    {
        private readonly string path;

        public TimedFileContent(string path)
        {
            this.path = path;
            Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        }

        public long LastByteSent { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using (var file = File.OpenRead(path))
            {
                await file.CopyToAsync(stream, 1 << 20);
            }

            await stream.FlushAsync();
            LastByteSent = Stopwatch.GetTimestamp();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = new FileInfo(path).Length;
            return true;
        }
    }
}
