using System.IO.Compression;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Snapshots.Configuration;
using Snapshots.Create;
using Snapshots.Projects;
using Snapshots.Records;
using Snapshots.Storage;

namespace Snapshots.Archive;

/// <summary>
/// Streams the parts and the files into one zip blob, written in staged blocks (several in flight while the zip is
/// written on) so the archive is never held in memory, hashing every entry on the way; the manifest is the last
/// entry, and then the separate manifest blob commits the snapshot. The files' checksums go to index parts (<see cref="ArchiveEntries.FileIndex"/>), each written
/// after its <see cref="FilesPerIndexPart"/> files, so neither the manifest nor the memory grows with the file count.
/// </summary>
public sealed class ArchiveAssembler(SnapshotBlobs blobs, ProjectFiles projectFiles)
{
    public const int FilesPerIndexPart = FileIndexBuffer.MaxFiles;

    private static readonly string[] SchemaEntries =
        [ArchiveEntries.Project, ArchiveEntries.Categories, ArchiveEntries.Labels, ArchiveEntries.LabelSets, ArchiveEntries.Ais];

    private static readonly (string Entry, string Folder)[] BatchedEntries =
    [
        (ArchiveEntries.Documents, SnapshotExporter.DocumentsFolder),
        (ArchiveEntries.AnnotationSets, SnapshotExporter.AnnotationSetsFolder),
        (ArchiveEntries.Annotations, SnapshotExporter.AnnotationsFolder),
    ];

    public async Task<AssembledArchive> AssembleAsync(SnapshotManifest header, CancellationToken cancellationToken)
    {
        var identifier = header.Identifier;
        var parts = new List<ManifestPart>();
        var archiveBlob = blobs.Archive(identifier);
        await using var upload = ParallelBlockUpload.Start(archiveBlob, new BlobHttpHeaders { ContentType = "application/zip" }, cancellationToken);
        await using (var zip = new ZipArchive(upload.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in SchemaEntries)
            {
                parts.Add(await AddEntryAsync(zip, entry, [blobs.Part(identifier, entry)], cancellationToken));
            }

            foreach (var (entry, folder) in BatchedEntries)
            {
                var sources = new List<BlobClient>();
                await foreach (var blob in blobs.ListPartsAsync(identifier, folder, cancellationToken))
                {
                    sources.Add(blobs.Container.GetBlobClient(blob.Name));
                }

                parts.Add(await AddEntryAsync(zip, entry, sources, cancellationToken));
            }

            var files = 0;
            var index = new FileIndexBuffer();
            var readAhead = new FileReadAhead(file => projectFiles.Blob(file.Container, file.Blob));
            await foreach (var (file, content) in readAhead.OpenInOrderAsync(FileRefsAsync(identifier, cancellationToken), cancellationToken))
            {
                await using (content)
                {
                    files++;
                    if (index.Add(await AddFileAsync(zip, file, content, cancellationToken)))
                    {
                        parts.Add(await AddIndexAsync(zip, index, cancellationToken));
                    }
                }
            }

            if (index.Files.Count > 0)
            {
                parts.Add(await AddIndexAsync(zip, index, cancellationToken));
            }

            var counts = new SnapshotCounts(
                Categories: Items(parts, ArchiveEntries.Categories),
                Labels: Items(parts, ArchiveEntries.Labels),
                LabelSets: Items(parts, ArchiveEntries.LabelSets),
                Documents: Items(parts, ArchiveEntries.Documents),
                AnnotationSets: Items(parts, ArchiveEntries.AnnotationSets),
                Annotations: Items(parts, ArchiveEntries.Annotations),
                Ais: Items(parts, ArchiveEntries.Ais),
                Files: files);
            header = header with { Counts = counts, Parts = parts };
            var manifestEntry = zip.CreateEntry(ArchiveEntries.Manifest, CompressionLevel.Optimal);
            await using (var manifestStream = await manifestEntry.OpenAsync(cancellationToken))
            {
                await JsonSerializer.SerializeAsync(manifestStream, header, ManifestJson.Options, cancellationToken);
            }
        }

        await upload.CompleteAsync();
        var bytes = (await archiveBlob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        await blobs.Manifest(identifier).UploadAsync(BinaryData.FromObjectAsJson(header, ManifestJson.Options), overwrite: true, cancellationToken);
        return new AssembledArchive(header.Counts, bytes);
    }

    private static int Items(List<ManifestPart> parts, string entry) => parts.Single(p => p.Path == entry).Items;

    private async IAsyncEnumerable<FileRef> FileRefsAsync(string identifier, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parts = new List<BlobClient> { blobs.Part(identifier, SnapshotExporter.ProjectFilesPart) };
        await foreach (var blob in blobs.ListPartsAsync(identifier, SnapshotExporter.DocumentFilesFolder, cancellationToken))
        {
            parts.Add(blobs.Container.GetBlobClient(blob.Name));
        }

        parts.Add(blobs.Part(identifier, SnapshotExporter.AiFilesPart));
        foreach (var part in parts)
        {
            await foreach (var file in NdjsonPart.ReadAsync<FileRef>(part, cancellationToken))
            {
                yield return file;
            }
        }
    }

    private static async Task<ManifestPart> AddEntryAsync(ZipArchive zip, string entryName, IReadOnlyList<BlobClient> sources, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(entryName, CompressionLevel.Fastest);
        using var copy = new HashingCopy();
        await using (var target = await entry.OpenAsync(cancellationToken))
        {
            foreach (var source in sources)
            {
                await using var content = await source.OpenReadAsync(cancellationToken: cancellationToken);
                await copy.CopyAsync(content, target, cancellationToken);
            }
        }

        return new ManifestPart(entryName, copy.Sha256Hex(), copy.Bytes, copy.Lines);
    }

    /// <summary>Writes the listing of the files just added (one JSON line each) and empties it.</summary>
    private static async Task<ManifestPart> AddIndexAsync(ZipArchive zip, FileIndexBuffer index, CancellationToken cancellationToken)
    {
        var files = index.Files;
        var entryName = ArchiveEntries.FileIndex(index.Number);
        var entry = zip.CreateEntry(entryName, CompressionLevel.Fastest);
        using var copy = new HashingCopy();
        await using (var target = await entry.OpenAsync(cancellationToken))
        {
            using var lines = new MemoryStream();
            foreach (var file in files)
            {
                JsonSerializer.Serialize(lines, file, SnapshotsJson.Options);
                lines.WriteByte((byte)'\n');
            }

            lines.Position = 0;
            await copy.CopyAsync(lines, target, cancellationToken);
        }

        index.Closed();
        return new ManifestPart(entryName, copy.Sha256Hex(), copy.Bytes, copy.Lines);
    }

    private static async Task<ManifestPart> AddFileAsync(ZipArchive zip, FileRef file, Stream content, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(file.ArchivePath, CompressionLevel.NoCompression);
        using var copy = new HashingCopy();
        try
        {
            await using var target = await entry.OpenAsync(cancellationToken);
            await copy.CopyAsync(content, target, cancellationToken);
        }
        catch (RequestFailedException ex) when (FileReadAhead.IsChanged(ex))
        {
            // A large file is streamed, so a change can also show up halfway through it.
            throw FileReadAhead.Changed(file);
        }

        return new ManifestPart(file.ArchivePath, copy.Sha256Hex(), copy.Bytes, 0);
    }
}

/// <summary>The manifest's JSON: the service's convention, indented for people who open the archive.</summary>
public static class ManifestJson
{
    public static JsonSerializerOptions Options { get; } = new(SnapshotsJson.Options) { WriteIndented = true };
}
