namespace Snapshots.Archive;

/// <summary>
/// The file listings of the index part being filled, and when it is full: at <see cref="MaxFiles"/> files, or
/// earlier when its lines could pass <see cref="MaxBytes"/> (well under what readers take,
/// <see cref="SnapshotArchiveReader.MaxIndexPartBytes"/>, for any file names).
/// </summary>
public sealed class FileIndexBuffer
{
    public const int MaxFiles = 10_000;
    public const long MaxBytes = 8 * 1024 * 1024;

    private readonly List<ManifestPart> files = new(MaxFiles);
    private long bytes;

    /// <summary>The number of the part being filled (0 for the first).</summary>
    public int Number { get; private set; }

    public IReadOnlyList<ManifestPart> Files => files;

    /// <summary>Adds a listing; true when the part is full and should be written now.</summary>
    public bool Add(ManifestPart file)
    {
        files.Add(file);
        // A line's worst case: every character of the path escaped as \uXXXX, plus the checksum and the size.
        bytes += (file.Path.Length * 6L) + 128;
        return files.Count == MaxFiles || bytes >= MaxBytes;
    }

    /// <summary>The part was written: the next one starts empty, with the next number.</summary>
    public void Closed()
    {
        files.Clear();
        bytes = 0;
        Number++;
    }
}
