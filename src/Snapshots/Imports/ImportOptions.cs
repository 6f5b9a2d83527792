using System.ComponentModel.DataAnnotations;

namespace Snapshots.Imports;

/// <summary>Limits on what an upload may be, bound from <c>Snapshots:Imports</c>. Every archive is treated as hostile.</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Snapshots:Imports";

    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    [Range(1, int.MaxValue)]
    public int MaxEntries { get; set; } = 500_000;

    [Range(1, long.MaxValue)]
    public long MaxUncompressedBytes { get; set; } = 32L * 1024 * 1024 * 1024;

    /// <summary>Largest uncompressed size of any one entry.</summary>
    [Range(1, long.MaxValue)]
    public long MaxEntryBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>
    /// Largest JSON5 file of a Konfuzio export that is read whole (labels, label sets, a document's annotations,
    /// annotation sets and pages); documents_meta.json5 is streamed and bound by <see cref="MaxEntryBytes"/>.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxJsonFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Largest allowed uncompressed/compressed ratio of an entry bigger than 1 MiB (zip bombs).</summary>
    [Range(1, 100_000)]
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>Most documents one Konfuzio export may list (documents_meta.json5), counted before anything is planned.</summary>
    [Range(1, int.MaxValue)]
    public int MaxDocuments { get; set; } = 1_000_000;

    /// <summary>How long an uploaded snapshot zip (not shared) stays in the snapshot storage at most, if its restore never ends.</summary>
    public TimeSpan ImportedArchiveRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Documents per import activity, as many as a snapshot's batches hold. Each batch stages two blobs and runs one
    /// activity: at 25, a 5 000-document import ran 200 activities and staged 400 blobs.
    /// A batch's memory is bound by <see cref="KonfuzioImporter.DocumentsInFlight"/>, not by this.
    /// </summary>
    [Range(1, 1000)]
    public int DocumentsPerBatch { get; set; } = 100;
}
