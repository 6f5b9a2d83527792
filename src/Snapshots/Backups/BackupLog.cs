using Microsoft.Extensions.Logging;

namespace Snapshots.Backups;

/// <summary>What the backup scheduler tells the log (event ids 5001-5099).</summary>
internal static partial class BackupLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Scheduled backup of project {ProjectId} started: snapshot {SnapshotId} for the occurrence at {Occurrence:u}.")]
    public static partial void Started(ILogger logger, string projectId, string snapshotId, DateTimeOffset occurrence);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Scheduled backup of project {ProjectId} failed: {Error}")]
    public static partial void Failed(ILogger logger, Exception exception, string projectId, string error);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Keeping snapshot {SnapshotId} of project {ProjectId} past retention while restore {RestoreId} reads it.")]
    public static partial void KeptWhileRead(ILogger logger, string snapshotId, string projectId, string restoreId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Retention of project {ProjectId} deleted snapshot {SnapshotId} (created {CreatedAt:u}, {Bytes} archive bytes).")]
    public static partial void Pruned(ILogger logger, string projectId, string snapshotId, DateTimeOffset createdAt, long? bytes);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Scheduled verification of project {ProjectId} started: snapshot {SnapshotId}, {Mode}, for the occurrence at {Occurrence:u}.")]
    public static partial void VerificationStarted(ILogger logger, string projectId, string snapshotId, Verification.VerificationMode mode, DateTimeOffset occurrence);
}
