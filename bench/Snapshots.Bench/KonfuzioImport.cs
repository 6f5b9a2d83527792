using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Snapshots.Imports;
using Snapshots.Projects;

namespace Snapshots.Bench;

/// <summary>
/// A synthetic Konfuzio SDK export of any size (the sample project's documents, copied under new ids), and its
/// baseline: the same zip parsed with the service's JSON5 reader and mapper and written straight through the SDKs
/// with the service's concurrency, no orchestration, no staging, no validation pass.
/// </summary>
internal sealed class KonfuzioImport(ProjectStore store, ProjectFiles files, CpuMeter cpu)
{
    private const int Concurrency = 16;

    /// <summary>Writes an export of <paramref name="documents"/> documents (page images and bbox archives left out) to <paramref name="path"/>.</summary>
    public static void WriteExport(string sample, int documents, string path)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var file in new[] { KonfuzioExport.Labels, KonfuzioExport.LabelSets })
        {
            zip.CreateEntryFromFile(Path.Combine(sample, file), file, CompressionLevel.Fastest);
        }

        using var metaFile = File.OpenRead(Path.Combine(sample, KonfuzioExport.DocumentsMeta));
        var originals = Json5.ParseArray(metaFile, KonfuzioExport.DocumentsMeta).ToList();
        var meta = new JsonArray();
        for (var n = 0; n < documents; n++)
        {
            var original = originals[n % originals.Count]!;
            var id = original["id"]!.GetValue<long>();
            var copy = original.DeepClone();
            var newId = id + (n / originals.Count * 10_000_000L);
            copy["id"] = newId;
            meta.Add(copy);
            var folder = Path.Combine(sample, "documents", id.ToString(CultureInfo.InvariantCulture));
            foreach (var file in Directory.Exists(folder) ? Directory.EnumerateFiles(folder) : [])
            {
                if (!file.EndsWith(".png", StringComparison.Ordinal) && !file.EndsWith(".zip", StringComparison.Ordinal))
                {
                    zip.CreateEntryFromFile(file, $"documents/{newId}/{Path.GetFileName(file)}", CompressionLevel.Fastest);
                }
            }
        }

        using var metaEntry = new StreamWriter(zip.CreateEntry(KonfuzioExport.DocumentsMeta).Open());
        metaEntry.Write(meta.ToJsonString());
    }

    public async Task<Measured> BaselineAsync(string path)
    {
        var before = cpu.Read();
        var projectId = "baseline-import-" + Guid.NewGuid().ToString("N");
        long entities = 0;
        var stopwatch = Stopwatch.StartNew();
        using var zip = ZipFile.OpenRead(path);
        var export = KonfuzioExport.Open(zip);
        var schema = KonfuzioSchema.Read(export);
        await Parallel.ForEachAsync(schema.Labels, Options(), async (label, ct) => await store.UpsertAsync(projectId, label, ct));
        await Parallel.ForEachAsync(schema.LabelSets, Options(), async (set, ct) => await store.UpsertAsync(projectId, set, ct));
        await Parallel.ForEachAsync(schema.Categories, Options(), async (category, ct) => await store.UpsertAsync(projectId, category, ct));

        List<JsonObject> documents;
        using (var meta = export.Open(KonfuzioExport.DocumentsMeta))
        {
            documents = [.. Json5.ParseArray(meta, KonfuzioExport.DocumentsMeta).Select(n => n!.AsObject())];
        }

        // A zip is read by one thread at a time: entries are read under a lock, written in parallel.
        var gate = new SemaphoreSlim(1);
        await Parallel.ForEachAsync(documents, Options(), async (source, ct) =>
        {
            var document = KonfuzioMapper.ToDocument(source, KonfuzioExport.DocumentsMeta);
            var folder = KonfuzioExport.DocumentFolder(document.Id);
            List<AnnotationSet> sets;
            List<Annotation> annotations;
            var contents = new List<(string Name, byte[] Bytes)>();
            await gate.WaitAsync(ct);
            try
            {
                sets = [.. KonfuzioImporter.ReadArray(export, folder + KonfuzioExport.AnnotationSetsFile).Select(o => KonfuzioMapper.ToAnnotationSet(o, document.Id, folder))];
                annotations = [.. KonfuzioImporter.ReadArray(export, folder + KonfuzioExport.AnnotationsFile).Select(o => KonfuzioMapper.ToAnnotation(o, document.Id, folder))];
                foreach (var file in export.DocumentFiles(document.Id))
                {
                    using var content = export.Open(file);
                    using var buffer = new MemoryStream();
                    content.CopyTo(buffer);
                    contents.Add((file[folder.Length..], buffer.ToArray()));
                }
            }
            finally
            {
                gate.Release();
            }

            foreach (var set in sets)
            {
                await store.UpsertDocumentItemAsync(projectId, document.Id, set, ct);
            }

            foreach (var annotation in annotations)
            {
                await store.UpsertDocumentItemAsync(projectId, document.Id, annotation, ct);
            }

            var stored = new List<StoredFile>();
            foreach (var (name, bytes) in contents)
            {
                stored.Add(await files.UploadDocumentFileAsync(projectId, document.Id, name, new MemoryStream(bytes), ct));
            }

            await store.UpsertAsync(projectId, document with { Files = stored, AnnotationSetCount = sets.Count, AnnotationCount = annotations.Count }, ct);
            Interlocked.Add(ref entities, 1 + sets.Count + annotations.Count);
        });

        return new Measured(stopwatch.Elapsed, entities, new FileInfo(path).Length) { Cpu = CpuMeter.Between(before, cpu.Read()) };
    }

    private static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Concurrency };
}
