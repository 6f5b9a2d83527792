using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;
using Snapshots.Configuration;
using Snapshots.Create;
using Snapshots.Projects;

namespace Snapshots.Bench;

/// <summary>What one measured run moved.</summary>
internal sealed record Measured(TimeSpan Elapsed, long Entities, long Bytes)
{
    /// <summary>CPU seconds per process during the step: the worker (benchmark or service), cosmos, azurite.</summary>
    public Dictionary<string, double> Cpu { get; init; } = [];

    /// <summary>The service process's peak working set during the step (MiB), where measured.</summary>
    public double PeakMiB { get; init; }

    /// <summary>The service's activities during the step, from its log, where taken.</summary>
    public List<ActivityRun> Activities { get; init; } = [];

    public double EntitiesPerSecond => Entities / Elapsed.TotalSeconds;

    public double MegabytesPerSecond => Bytes / 1024.0 / 1024.0 / Elapsed.TotalSeconds;
}

/// <summary>
/// The raw cost of the same I/O, done directly with the SDKs as fast as we know how (parallel, streaming): list the
/// documents and page through every entity a dataset+AI snapshot holds and write the same bytes to blobs; then read them back and
/// upsert the same number of items with the same concurrency, and copy the files back.
/// </summary>
internal sealed class Baseline(ProjectStore store, ProjectFiles files, BlobContainerClient scratch, CpuMeter cpu)
{
    private const int Concurrency = 16;
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>
    /// One run, writing under a folder of its own: the service writes new blobs each run (a new archive, a new
    /// project's files), and overwriting the previous run's blobs cost the baseline more in Azurite (a removal there
    /// updates every index of the account's blobs), which made its later runs slower than the first.
    /// </summary>
    public async Task<(Measured Export, Measured Import)> RunAsync(string projectId)
    {
        var folder = $"baseline-{Guid.NewGuid():N}/";
        var before = cpu.Read();
        var (exported, ais) = await ExportAsync(projectId, folder);
        var export = exported with { Cpu = CpuMeter.Between(before, cpu.Read()) };
        before = cpu.Read();
        var import = await ImportAsync(ais, folder) with { Cpu = CpuMeter.Between(before, cpu.Read()) };
        return (export, import);
    }

    /// <summary>Lists the documents and AIs (timed: the service's create lists them too), then exports them.</summary>
    private async Task<(Measured Export, List<AiModel> Ais)> ExportAsync(string projectId, string folder)
    {
        long entities = 0, bytes = 0;
        var stopwatch = Stopwatch.StartNew();
        var documents = new List<Document>();
        await foreach (var document in store.ListAsync<Document>(projectId, default))
        {
            if (SnapshotRules.IncludesDocument(document.DatasetStatus))
            {
                documents.Add(document);
            }
        }

        var ais = await Collect(store.ListAsync<AiModel>(projectId, default));
        var groups = documents.Select((d, i) => (d, i)).GroupBy(x => x.i % Concurrency, x => x.d).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (group, ct) =>
        {
            await using var output = await scratch.GetBlobClient($"{folder}entities-{group.Key:D2}.ndjson").OpenWriteAsync(true, cancellationToken: ct);
            foreach (var document in group)
            {
                var items = new List<object> { document };
                items.AddRange(await Collect(store.ListDocumentItemsAsync<AnnotationSet>(projectId, document.Id, ct)));
                items.AddRange(await Collect(store.ListDocumentItemsAsync<Annotation>(projectId, document.Id, ct)));
                foreach (var item in items)
                {
                    var line = JsonSerializer.SerializeToUtf8Bytes(item, SnapshotsJson.Options);
                    await output.WriteAsync(line, ct);
                    await output.WriteAsync(NewLine, ct);
                    Interlocked.Add(ref bytes, line.Length + 1);
                }

                Interlocked.Add(ref entities, items.Count);
                foreach (var file in document.Files)
                {
                    Interlocked.Add(ref bytes, await CopyAsync(files.Resolve(file), scratch.GetBlobClient($"{folder}files/{document.Id}/{file.Name}"), ct));
                }
            }
        });

        foreach (var ai in ais)
        {
            entities++;
            foreach (var file in ai.Files)
            {
                bytes += await CopyAsync(files.Resolve(file), scratch.GetBlobClient($"{folder}models/{ai.Id}/{file.Name}"), default);
            }
        }

        return (new Measured(stopwatch.Elapsed, entities, bytes), ais);
    }

    private async Task<Measured> ImportAsync(List<AiModel> ais, string folder)
    {
        long entities = 0, bytes = 0;
        var target = "baseline-" + Guid.NewGuid().ToString("N");
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Concurrency), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (group, ct) =>
        {
            var blob = scratch.GetBlobClient($"{folder}entities-{group:D2}.ndjson");
            if (!await blob.ExistsAsync(ct))
            {
                return;
            }

            await using var input = await blob.OpenReadAsync(cancellationToken: ct);
            using var reader = new StreamReader(input);
            while (await reader.ReadLineAsync(ct) is { Length: > 0 } line)
            {
                var element = JsonDocument.Parse(line).RootElement;
                var id = element.GetProperty("id").GetString()!;
                if (element.TryGetProperty("documentId", out var documentId))
                {
                    if (element.TryGetProperty("labelId", out _))
                    {
                        await store.UpsertDocumentItemAsync(target, documentId.GetString()!, element.Deserialize<Annotation>(SnapshotsJson.Options)!, ct);
                    }
                    else
                    {
                        await store.UpsertDocumentItemAsync(target, documentId.GetString()!, element.Deserialize<AnnotationSet>(SnapshotsJson.Options)!, ct);
                    }
                }
                else
                {
                    await store.UpsertAsync(target, element.Deserialize<Document>(SnapshotsJson.Options)! with { Id = id }, ct);
                }

                Interlocked.Increment(ref entities);
                Interlocked.Add(ref bytes, line.Length);
            }
        });

        await Parallel.ForEachAsync(scratch.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{folder}files/" }), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (blob, ct) =>
            Interlocked.Add(ref bytes, await CopyAsync(scratch.GetBlobClient(blob.Name), files.Documents.GetBlobClient($"{target}/{blob.Name}"), ct)));
        foreach (var ai in ais)
        {
            entities++;
            await foreach (var blob in scratch.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{folder}models/{ai.Id}/" }))
            {
                bytes += await CopyAsync(scratch.GetBlobClient(blob.Name), files.Models.GetBlobClient($"{target}/{blob.Name}"), default);
            }
        }

        return new Measured(stopwatch.Elapsed, entities, bytes);
    }

    private static async Task<long> CopyAsync(BlobClient source, BlobClient destination, CancellationToken cancellationToken)
    {
        await using var content = await source.OpenReadAsync(cancellationToken: cancellationToken);
        await destination.UploadAsync(content, overwrite: true, cancellationToken);
        return content.Length;
    }

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
