using Microsoft.DurableTask;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Imports;
using Snapshots.Restore;

namespace Snapshots.Functions.Orchestration;

/// <summary>
/// The one retry policy of every orchestration's activities: three attempts with backoff, but none again for a
/// failure that another attempt cannot change (an archive that fails verification, a refused request).
/// </summary>
public static class ActivityRetry
{
    public static TaskOptions Options { get; } = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2)
    {
        HandleFailure = IsTransient,
    });

    // Matched by name: the failure details carry the exception's type name, not the type.
    private static readonly HashSet<string> Permanent = new(StringComparer.Ordinal)
    {
        typeof(ArchiveValidationException).FullName!,
        typeof(ArchiveTooLargeException).FullName!,
        typeof(ImportValidationException).FullName!,
        typeof(ImportTooLargeException).FullName!,
        typeof(NoDatasetDocumentsException).FullName!,
        typeof(SnapshotRequestException).FullName!,
        typeof(PermanentFailureException).FullName!,
        typeof(RestoreCancelRequestedException).FullName!,
    };

    private static readonly HashSet<string> InvalidArchive = new(StringComparer.Ordinal)
    {
        typeof(ArchiveValidationException).FullName!,
        typeof(ArchiveTooLargeException).FullName!,
    };

    public static bool IsTransient(TaskFailureDetails failure) => !IsPermanent(failure);

    /// <summary>The publish refused because a cancel was accepted first.</summary>
    public static bool IsCancelRequested(TaskFailureDetails? failure) =>
        CausedBy(failure, type => type == typeof(RestoreCancelRequestedException).FullName);

    /// <summary>The archive itself is at fault: no retry of the restore that read it can succeed.</summary>
    public static bool IsInvalidArchive(TaskFailureDetails? failure) => CausedBy(failure, InvalidArchive.Contains);

    public static bool IsPermanent(TaskFailureDetails? failure) => CausedBy(failure, Permanent.Contains);

    /// <summary>The failure or one of its inner failures has an error type <paramref name="matches"/> accepts.</summary>
    private static bool CausedBy(TaskFailureDetails? failure, Func<string, bool> matches) =>
        failure is not null && (matches(failure.ErrorType) || CausedBy(failure.InnerFailure, matches));
}
