using System.Text;
using System.Text.Json;

namespace Snapshots.Compare;

/// <summary>
/// Compares two streams of fingerprints of one kind in memory bounded by a bucket, not by the kind's size: each side
/// is spilled once into local files by a hash of the key (a grace hash join), then bucket by bucket the first
/// side's keys are held and the second side's streamed past them.
/// </summary>
public sealed class BucketedDiff : IDisposable
{
    public const int Buckets = 64;

    private readonly string folder;

    /// <param name="parent">Where the spill folder goes (default: the temp folder's snapshots-compare/).</param>
    public BucketedDiff(string? parent = null)
    {
        folder = Path.Combine(parent ?? Path.Combine(Path.GetTempPath(), "snapshots-compare"), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
    }

    public Task SpillFirstAsync(IAsyncEnumerable<Fingerprint> items, CancellationToken cancellationToken) => SpillAsync("a", items, cancellationToken);

    public Task SpillSecondAsync(IAsyncEnumerable<Fingerprint> items, CancellationToken cancellationToken) => SpillAsync("b", items, cancellationToken);

    public async Task<KindComparison> CompareAsync(NamePage page, CancellationToken cancellationToken)
    {
        var (added, removed, changed) = (new NameTally(page), new NameTally(page), new NameTally(page));
        for (var bucket = 0; bucket < Buckets; bucket++)
        {
            var first = new Dictionary<string, Fingerprint>(StringComparer.Ordinal);
            await foreach (var item in ReadAsync(PathOf("a", bucket), cancellationToken))
            {
                first[item.Key] = item;
            }

            await foreach (var item in ReadAsync(PathOf("b", bucket), cancellationToken))
            {
                if (!first.Remove(item.Key, out var before))
                {
                    added.Add(item.Name);
                }
                else if (before.Hash != item.Hash)
                {
                    changed.Add(item.Name);
                }
            }

            foreach (var gone in first.Values)
            {
                removed.Add(gone.Name);
            }
        }

        return new KindComparison(added.Count, removed.Count, changed.Count, added.Names, removed.Names, changed.Names);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task SpillAsync(string side, IAsyncEnumerable<Fingerprint> items, CancellationToken cancellationToken)
    {
        var writers = new StreamWriter?[Buckets];
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                var bucket = BucketOf(item.Key);
                writers[bucket] ??= new StreamWriter(PathOf(side, bucket), append: false, new UTF8Encoding(false));
                await writers[bucket]!.WriteLineAsync(JsonSerializer.Serialize(new[] { item.Key, item.Hash, item.Name }));
            }
        }
        finally
        {
            foreach (var writer in writers)
            {
                if (writer is not null)
                {
                    await writer.DisposeAsync();
                }
            }
        }
    }

    private static async IAsyncEnumerable<Fingerprint> ReadAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var fields = JsonSerializer.Deserialize<string[]>(line)!;
            yield return new Fingerprint(fields[0], fields[2], fields[1]);
        }
    }

    private string PathOf(string side, int bucket) => Path.Combine(folder, $"{side}-{bucket:D2}.ndjson");

    // FNV-1a over the key's characters: stable across processes, unlike string.GetHashCode.
    private static int BucketOf(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Buckets);
    }

    /// <summary>Counts every name and keeps the page's names: the smallest after the cursor, at most the page's size.</summary>
    private sealed class NameTally(NamePage page)
    {
        private readonly SortedSet<string> kept = new(StringComparer.Ordinal);

        public int Count { get; private set; }

        public List<string> Names => [.. kept];

        public void Add(string name)
        {
            Count++;
            if (page.Names == 0 || (page.After is not null && string.CompareOrdinal(name, page.After) <= 0))
            {
                return;
            }

            kept.Add(name);
            if (kept.Count > page.Names)
            {
                kept.Remove(kept.Max!);
            }
        }
    }
}
