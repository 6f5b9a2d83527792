namespace Snapshots.Archive;

/// <summary>
/// Lets several writers take file entries from one archive. A zip reader is not thread-safe, so entries are read one
/// at a time; a small entry is read into memory and handed over after the archive is free again, so the slow part
/// (uploading it) overlaps with the others'. A large entry is streamed while the archive stays taken.
/// </summary>
public sealed class SharedArchiveEntries(SnapshotArchiveReader archive) : IDisposable
{
    public const long SmallEntryBytes = 1024 * 1024;

    private readonly SemaphoreSlim gate = new(1, 1);

    public bool Has(string path) => archive.Has(path);

    public async Task<T> UseAsync<T>(string path, Func<Stream, Task<T>> use, CancellationToken cancellationToken)
    {
        var length = archive.Length(path);
        MemoryStream buffered;
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var entry = archive.OpenEntry(path);
            if (length > SmallEntryBytes)
            {
                return await use(entry);
            }

            buffered = new MemoryStream((int)length);
            await entry.CopyToAsync(buffered, cancellationToken);
        }
        finally
        {
            gate.Release();
        }

        buffered.Position = 0;
        await using (buffered)
        {
            return await use(buffered);
        }
    }

    public void Dispose() => gate.Dispose();
}
