using Microsoft.Extensions.Logging;

namespace Snapshots.Imports;

/// <summary>What uploads and imports tell the log (event ids 4001-4099).</summary>
public static partial class ImportLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Upload {ImportId} staged: {Kind}, {Bytes} bytes.")]
    public static partial void Staged(ILogger logger, string importId, UploadKind kind, long bytes);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Upload {ImportId} refused and removed: {Reason}")]
    public static partial void Refused(ILogger logger, string importId, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Import {ImportId} planned into project {ProjectId}: {Documents} documents in {Batches} batches, {Warnings} warnings.")]
    public static partial void Planned(ILogger logger, string importId, string projectId, int documents, int batches, int warnings);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Import {ImportId} into project {ProjectId} done: {Documents} documents, {AnnotationSets} annotation sets, {Annotations} annotations, {Files} files in {Seconds:F1} s.")]
    public static partial void Completed(ILogger logger, string importId, string projectId, int documents, int annotationSets, int annotations, int files, double seconds);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Import {ImportId} failed and was rolled back: {Reason}")]
    public static partial void RolledBack(ILogger logger, string importId, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Removed {Count} staged uploads and imported archives past their retention.")]
    public static partial void Expired(ILogger logger, int count);
}
