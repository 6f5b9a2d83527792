using System.IO.Compression;

namespace Snapshots.Imports;

/// <summary>Rejects zip bombs and oversized archives from their central directory, before anything is extracted.</summary>
internal static class ArchiveLimits
{
    private const long RatioCheckThreshold = 1024 * 1024;

    public static ImportTooLargeException TooManyEntries(long entries, ImportOptions limits) =>
        new($"The archive has {entries} entries; the limit is {limits.MaxEntries} (Snapshots:Imports:MaxEntries).");

    public static void Check(ZipArchive zip, ImportOptions limits)
    {
        if (zip.Entries.Count > limits.MaxEntries)
        {
            throw TooManyEntries(zip.Entries.Count, limits);
        }

        long total = 0;
        foreach (var entry in zip.Entries)
        {
            total += entry.Length;
            if (entry.Length > limits.MaxEntryBytes)
            {
                throw new ImportTooLargeException(
                    $"{entry.FullName}: {entry.Length} bytes uncompressed; the limit per entry is {limits.MaxEntryBytes} (Snapshots:Imports:MaxEntryBytes).");
            }

            if (entry.Length > RatioCheckThreshold && entry.Length > (long)limits.MaxCompressionRatio * Math.Max(entry.CompressedLength, 1))
            {
                throw new ImportTooLargeException(
                    $"{entry.FullName}: compression ratio above {limits.MaxCompressionRatio} (Snapshots:Imports:MaxCompressionRatio); refusing a possible zip bomb.");
            }
        }

        if (total > limits.MaxUncompressedBytes)
        {
            throw new ImportTooLargeException($"The archive expands to {total} bytes; the limit is {limits.MaxUncompressedBytes} (Snapshots:Imports:MaxUncompressedBytes).");
        }
    }
}
