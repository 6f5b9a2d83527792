using Snapshots.Archive;

namespace Snapshots.Imports;

/// <summary>
/// Reads only a zip's end-of-central-directory record (and its zip64 form) to learn how many entries the central
/// directory holds and how large it is, before anything loads that directory into memory: a zip that claims more
/// entries than <see cref="ImportOptions.MaxEntries"/>, or a directory larger than those entries can need, is refused
/// with two small range reads.
/// </summary>
internal static class ZipDirectoryLimits
{
    /// <summary>The most one directory record can take: 46 bytes, a name of up to 512 characters in UTF-8, and room for extra fields.</summary>
    private const long MaxBytesPerEntry = 46 + (512 * 4) + 1024;

    public static async Task CheckAsync(Stream zip, ImportOptions limits, CancellationToken cancellationToken)
    {
        if (await ZipEndRecord.LocateAsync(zip, reason => new ImportValidationException("", $"the upload's {reason}."), cancellationToken) is not { } directory)
        {
            // Not a zip at all: the zip reader says so in its own words.
            return;
        }

        var (entries, directoryBytes) = (directory.Entries, directory.Length);
        if (entries > limits.MaxEntries || entries < 0)
        {
            throw ArchiveLimits.TooManyEntries(entries, limits);
        }

        if (directoryBytes > Math.Max(entries, 1) * MaxBytesPerEntry || directoryBytes < 0)
        {
            throw new ImportTooLargeException($"The archive's central directory is {directoryBytes} bytes for {entries} entries: more than its entries can need.");
        }
    }
}
