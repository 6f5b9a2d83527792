using Microsoft.Extensions.Options;
using Snapshots.Configuration;

namespace Snapshots.Projects;

/// <summary>
/// Writes the annotation sets or annotations of many documents with at most <see cref="CosmosOptions.WriteConcurrency"/>
/// requests in flight: one upsert per item, or, with <see cref="CosmosOptions.UseTransactionalBatch"/>, one
/// transactional batch per run of consecutive items of the same document (they share a partition).
/// </summary>
public sealed class DocumentItemWriter(ProjectStore store, IOptions<CosmosOptions> options)
{
    /// <summary>
    /// Writes every item under the document <paramref name="documentOf"/> names, with at most
    /// <paramref name="concurrency"/> requests in flight (default: all of <see cref="CosmosOptions.WriteConcurrency"/>); returns how many.
    /// </summary>
    public async Task<int> WriteAsync<T>(string projectId, IAsyncEnumerable<T> items, Func<T, string> documentOf, CancellationToken cancellationToken, int? concurrency = null)
        where T : IProjectEntity
    {
        var written = 0;
        var parallelism = new ParallelOptions { MaxDegreeOfParallelism = concurrency ?? options.Value.WriteConcurrency, CancellationToken = cancellationToken };
        if (!options.Value.UseTransactionalBatch)
        {
            await Parallel.ForEachAsync(items, parallelism, async (item, ct) =>
            {
                await store.UpsertDocumentItemAsync(projectId, documentOf(item), item, ct);
                Interlocked.Increment(ref written);
            });
            return written;
        }

        await Parallel.ForEachAsync(RunsOfOneDocumentAsync(items, documentOf, ProjectStore.MaxBatchOperations, cancellationToken), parallelism, async (run, ct) =>
        {
            await store.UpsertDocumentItemsAsync(projectId, run.DocumentId, run.Items, ct);
            Interlocked.Add(ref written, run.Items.Count);
        });
        return written;
    }

    /// <summary>Cuts a stream into runs of consecutive items of one document, each at most <paramref name="maxItems"/> long.</summary>
    public static async IAsyncEnumerable<(string DocumentId, List<T> Items)> RunsOfOneDocumentAsync<T>(
        IAsyncEnumerable<T> items, Func<T, string> documentOf, int maxItems,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? current = null;
        var run = new List<T>();
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            var document = documentOf(item);
            if (run.Count > 0 && (document != current || run.Count == maxItems))
            {
                yield return (current!, run);
                run = [];
            }

            current = document;
            run.Add(item);
        }

        if (run.Count > 0)
        {
            yield return (current!, run);
        }
    }
}
